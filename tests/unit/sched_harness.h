// SPDX-License-Identifier: GPL-2.0
// Drives one core scheduler the way the module's service code does: it keeps
// the destinations in IPVS list order (newest first), publishes each change
// as a fresh immutable xvs_dest_set, and tells the scheduler what changed.
#pragma once

extern "C" {
#include "xvs_sched.h"
}

#include <arpa/inet.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace xvs_test {

struct DestSpec {
	char name;
	int weight;
};

class Service {
public:
	// 'list' is given in list order: list[0] is the head (newest).
	Service(const xvs_sched_ops &ops, std::initializer_list<DestSpec> list,
		u16 af = XVS_AF_INET)
		: ops_(ops),
		  state_(ops.state_size / sizeof(std::max_align_t) + 1),
		  af_(af)
	{
		// init() must set up every field itself.
		std::memset(state_.data(), 0xa5,
			    state_.size() * sizeof(std::max_align_t));
		for (const DestSpec &spec : list)
			order_.push_back(make_dest(spec));
		publish();
		if (ops_.init)
			ops_.init(state_.data(), set_.get());
		input_.af = af;
		input_.protocol = 6;	// TCP
		input_.saddr = saddr_;
		input_.daddr = daddr_;
	}

	// ipvsadm -D: the module frees the scheduler's memory.
	~Service()
	{
		if (ops_.destroy)
			ops_.destroy(state_.data());
	}

	Service(const Service &) = delete;
	Service &operator=(const Service &) = delete;

	// As the module does: stateless schedulers have no callback.
	void notify(const xvs_dest_change &change)
	{
		if (ops_.dests_changed)
			ops_.dests_changed(state_.data(), set_.get(), &change);
	}

	// ipvsadm -a: the new destination goes to the head of the list.
	void add(char name, int weight)
	{
		order_.insert(order_.begin(), make_dest({name, weight}));
		publish();
		xvs_dest_change change{XVS_DEST_ADDED, 0, &order_[0]->d};
		notify(change);
	}

	// ipvsadm -d; with name_it false the change does not say which
	// destination went (the scheduler must find out itself).
	void remove(char name, bool name_it = true)
	{
		unsigned int index = index_of(name);
		xvs_sched_dest *gone = &order_[index]->d;
		// The module clears AVAILABLE when it unlinks a destination.
		gone->flags &= ~XVS_DEST_F_AVAILABLE;
		order_.erase(order_.begin() + index);
		publish();
		xvs_dest_change change{XVS_DEST_REMOVED, index,
				       name_it ? gone : nullptr};
		notify(change);
	}

	// ipvsadm -e -w.  As IPVS, the last weight keeps the latest
	// non-zero one.
	void set_weight(char name, int weight)
	{
		atomic_set(&dest(name).weight, weight);
		if (weight)
			atomic_set(&dest(name).last_weight, weight);
		xvs_dest_change change{XVS_DEST_UPDATED, index_of(name),
				       &dest(name)};
		notify(change);
	}

	// The destination's identity (mh hashes it); before any change.
	void set_ident(char name, const char *addr, u16 port)
	{
		xvs_sched_dest &d = dest(name);
		std::memset(d.addr, 0, sizeof(d.addr));
		if (inet_pton(af_ == XVS_AF_INET6 ? AF_INET6 : AF_INET, addr,
			      d.addr) != 1)
			throw std::invalid_argument(addr);
		d.port = htons(port);
	}

	// The periodic timer of the module.
	void gc(const xvs_sched_knobs *knobs = nullptr)
	{
		if (ops_.gc)
			ops_.gc(state_.data(), knobs);
	}

	// Packet facts for the following picks.
	void from(const char *addr, u16 port = 0)
	{
		set_addr(saddr_, addr);
		input_.sport = htons(port);
	}

	void to(const char *addr, u16 port = 0)
	{
		set_addr(daddr_, addr);
		input_.dport = htons(port);
	}

	xvs_sched_input &input() { return input_; }

	// The data plane sets and clears the overload flag on its own.
	void overload(char name, bool on)
	{
		unsigned int &flags = dest(name).flags;
		flags = on ? (flags | XVS_DEST_F_OVERLOAD) :
			     (flags & ~XVS_DEST_F_OVERLOAD);
	}

	void overload_all(bool on)
	{
		for (Entry *e : order_)
			overload(e->name, on);
	}

	void conns(char name, int active, int inactive)
	{
		atomic_set(&dest(name).activeconns, active);
		atomic_set(&dest(name).inactconns, inactive);
	}

	// One scheduling decision: the destination's name, or '-' for NULL.
	char pick() { return name_of(schedule(set_.get())); }

	std::string picks(unsigned int n)
	{
		std::string s;
		for (unsigned int i = 0; i < n; i++)
			s += pick();
		return s;
	}

	xvs_sched_dest *schedule(const xvs_dest_set *set)
	{
		return ops_.schedule(state_.data(), set, &input_);
	}

	char name_of(const xvs_sched_dest *d) const
	{
		if (!d)
			return '-';
		for (const Entry &e : pool_)
			if (&e.d == d)
				return e.name;
		throw std::logic_error("scheduler returned a foreign pointer");
	}

	xvs_sched_dest &dest(char name) { return order_.at(index_of(name))->d; }
	const xvs_dest_set *set() const { return set_.get(); }
	void *state() { return state_.data(); }

private:
	struct Entry {
		xvs_sched_dest d{};
		char name;
	};

	struct FreeSet {
		void operator()(xvs_dest_set *s) const { std::free(s); }
	};
	using SetPtr = std::unique_ptr<xvs_dest_set, FreeSet>;

	Entry *make_dest(DestSpec spec)
	{
		Entry &e = pool_.emplace_back();
		e.name = spec.name;
		atomic_set(&e.d.weight, spec.weight);
		atomic_set(&e.d.last_weight, spec.weight);
		e.d.flags = XVS_DEST_F_AVAILABLE;
		// A distinct default identity: 10.0.0.<name>:80.
		e.d.addr[0] = htonl(0x0a000000u | (unsigned char)spec.name);
		e.d.port = htons(80);
		return &e;
	}

	unsigned int index_of(char name) const
	{
		for (std::size_t i = 0; i < order_.size(); i++)
			if (order_[i]->name == name)
				return static_cast<unsigned int>(i);
		throw std::out_of_range(std::string("no destination ") + name);
	}

	// A new immutable array, as the module publishes under RCU.
	void publish()
	{
		std::size_t bytes = sizeof(xvs_dest_set) +
				    order_.size() * sizeof(xvs_sched_dest *);
		auto *raw = static_cast<xvs_dest_set *>(std::calloc(1, bytes));
		if (!raw)
			throw std::bad_alloc();
		SetPtr set(raw);
		set->count = static_cast<unsigned int>(order_.size());
		set->af = af_;
		for (std::size_t i = 0; i < order_.size(); i++)
			set->dest[i] = &order_[i]->d;
		set_ = std::move(set);
	}

	void set_addr(u32 *words, const char *addr)
	{
		std::memset(words, 0, 16);
		if (inet_pton(af_ == XVS_AF_INET6 ? AF_INET6 : AF_INET, addr,
			      words) != 1)
			throw std::invalid_argument(addr);
	}

	const xvs_sched_ops &ops_;
	std::vector<std::max_align_t> state_;
	u16 af_;
	u32 saddr_[4]{};
	u32 daddr_[4]{};
	std::deque<Entry> pool_;	// stable addresses, removed ones kept
	std::vector<Entry *> order_;	// list order, newest first
	SetPtr set_;
	xvs_sched_input input_{};
};

} // namespace xvs_test
