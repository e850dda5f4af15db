// SPDX-License-Identifier: GPL-2.0
// Host microbenchmarks of the portable core (kmod/core), the code the
// module runs per new connection: each scheduler's decision over 2..1000
// destinations, and the connection key hash with a table keyed by it.
// Run by scripts/bench.sh (`make bench`); not part of `make test`.
#include <benchmark/benchmark.h>

#include "../unit/sched_harness.h"

extern "C" {
#include "xvs_hash.h"
}

#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

using xvs_test::Service;

namespace {

// A service of n destinations with distinct addresses 10.1.x.y:80 and
// weights 1..5, built as the module would (one add after the other).
void fill(Service &svc, int n)
{
	for (int i = 0; i < n; i++)
		svc.add(static_cast<char>('A' + i % 26), 1 + i % 5);
	for (unsigned int i = 0; i < svc.set()->count; i++)
		svc.set()->dest[i]->addr[0] = htonl(0x0a010000u + i);
	// the identities changed: hashing schedulers rebuild their tables
	xvs_dest_change change{XVS_DEST_UPDATED, 0, svc.set()->dest[0]};
	svc.notify(change);
}

void sched_decision(benchmark::State &state, const xvs_sched_ops *ops)
{
	Service svc(*ops, {});
	fill(svc, static_cast<int>(state.range(0)));
	svc.to("192.0.2.1", 80);
	svc.from("198.51.100.1", 1024);
	// the decision reads the packet's source: vary it as traffic would
	auto *saddr = const_cast<u32 *>(svc.input().saddr);
	std::uint32_t i = 0;
	for (auto _ : state) {
		saddr[0] = htonl(0xc6330000u + (i & 0xffff));
		svc.input().sport = htons(static_cast<u16>(1024 + (i & 0x7fff)));
		xvs_sched_dest *d = svc.schedule(svc.set());
		benchmark::DoNotOptimize(d);
		// lc and friends: a decision is a new connection on it
		if (d)
			atomic_inc(&d->inactconns);
		i++;
	}
	state.SetItemsProcessed(state.iterations());
}

#define SCHED_BENCH(name)                                                   \
	BENCHMARK_CAPTURE(sched_decision, name, &xvs_sched_##name)          \
		->Arg(2)->Arg(10)->Arg(100)->Arg(1000)
SCHED_BENCH(rr);
SCHED_BENCH(wrr);
SCHED_BENCH(lc);
SCHED_BENCH(wlc);
SCHED_BENCH(sed);
SCHED_BENCH(nq);
SCHED_BENCH(fo);
SCHED_BENCH(ovf);
SCHED_BENCH(dh);
SCHED_BENCH(sh);
SCHED_BENCH(mh);
SCHED_BENCH(lblc);
SCHED_BENCH(lblcr);
SCHED_BENCH(twos);

xvs_conn_key key_of(std::uint32_t i)
{
	xvs_conn_key k;
	u32 addr[4] = {htonl(0x0a000000u + (i >> 14)), 0, 0, 0};

	xvs_conn_key_init(&k, 2, 6, addr, htons(static_cast<u16>(1024 + (i & 0x3fff))));
	return k;
}

const siphash_key_t secret = {{0x0123456789abcdefULL, 0xfedcba9876543210ULL}};

struct KeyHash {
	std::size_t operator()(const xvs_conn_key &k) const
	{
		return xvs_conn_key_hash(&k, &secret);
	}
};

struct KeyEq {
	bool operator()(const xvs_conn_key &a, const xvs_conn_key &b) const
	{
		return std::memcmp(&a, &b, sizeof(a)) == 0;
	}
};

using ConnTable = std::unordered_map<xvs_conn_key, std::uint32_t, KeyHash, KeyEq>;

void conn_key_hash(benchmark::State &state)
{
	std::uint32_t i = 0;
	for (auto _ : state) {
		xvs_conn_key k = key_of(i++);
		benchmark::DoNotOptimize(xvs_conn_key_hash(&k, &secret));
	}
	state.SetItemsProcessed(state.iterations());
}
BENCHMARK(conn_key_hash);

// One insertion and its removal in a table that holds range(0) entries
// (the kernel table is an rhashtable; this measures the core's key and
// hash with a comparable chained table; the removal keeps the size).
void conn_insert_erase(benchmark::State &state)
{
	const auto n = static_cast<std::uint32_t>(state.range(0));
	ConnTable table;
	table.reserve(n + 1);
	for (std::uint32_t i = 0; i < n; i++)
		table.emplace(key_of(i), i);
	std::uint32_t j = n;
	for (auto _ : state) {
		auto it = table.emplace(key_of(j), j).first;
		table.erase(it);
		j++;
	}
	state.SetItemsProcessed(state.iterations());
}
BENCHMARK(conn_insert_erase)->Arg(1000)->Arg(100000)->Arg(1000000);

void conn_lookup(benchmark::State &state)
{
	const auto n = static_cast<std::uint32_t>(state.range(0));
	ConnTable table;
	table.reserve(n);
	for (std::uint32_t i = 0; i < n; i++)
		table.emplace(key_of(i), i);
	std::uint32_t j = 0;
	for (auto _ : state) {
		auto it = table.find(key_of((j * 2654435761u) % n));
		benchmark::DoNotOptimize(it);
		j++;
	}
	state.SetItemsProcessed(state.iterations());
}
BENCHMARK(conn_lookup)->Arg(1000)->Arg(100000)->Arg(1000000);

} // namespace

BENCHMARK_MAIN();
