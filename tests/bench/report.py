#!/usr/bin/env python3
"""Turns the figures of a `make bench` run into results.json, table.txt and
the data and script of the ratio plot (scripts/bench.sh runs gnuplot).

Input (in DIR): raw.txt, the guest's "XVS-BENCH METRIC LB ROUND VALUE"
lines; micro.json (Google Benchmark, optional); failures.txt.
Usage: report.py DIR
"""
import json
import os
import statistics
import sys

# name: (what, unit, better, baseline metric, target ratio xvs/ipvs)
# better: "higher" or "lower"; target: (">=", x) or ("<=", x) or None
METRICS = {
    "crr_nat": ("TCP conns/s, NAT (connect, request, reply, close)", "conn/s", "higher", "crr_route", (">=", 1.3)),
    "crr_dr": ("TCP conns/s, DR", "conn/s", "higher", "crr_route", (">=", 1.3)),
    "udp_nat": ("UDP packets/s delivered, NAT (64 B)", "pkt/s", "higher", "udp_route", (">=", 1.3)),
    "udp_dr": ("UDP packets/s delivered, DR (64 B)", "pkt/s", "higher", "udp_route", (">=", 1.3)),
    "bulk_nat": ("bulk TCP upload, NAT", "Mbit/s", "higher", "bulk_route", None),
    "lat_p50_nat": ("connect time p50 at fixed rate, NAT", "us", "lower", "lat_p50_route", None),
    "lat_p99_nat": ("connect time p99 at fixed rate, NAT", "us", "lower", "lat_p99_route", None),
    "scale_entries": ("connection entries reached ({fill} entries, target {conns})", "entries", "higher", None, None),
    "scale_fill_rate": ("table fill: new entries per second", "entry/s", "higher", None, None),
    "mem_objsize": ("connection slab object size", "B", "lower", None, None),
    "mem_per_conn": ("connection slab bytes per entry (at the fill)", "B", "lower", None, ("<=", 0.75)),
    "mem_total_mb": ("connection slab total (at the fill)", "MiB", "lower", None, None),
    "udp_1k": ("UDP pkt/s NAT, 1k entries in the table", "pkt/s", "higher", None, None),
    "udp_1m": ("UDP pkt/s NAT, full table ({conns} entries)", "pkt/s", "higher", None, None),
    "udp_flat": ("per-packet cost flatness: udp_1m / udp_1k (1 = flat)", "x", "higher", None, None),
    "expire_lag_s": ("table empty after the last timeout", "s", "lower", None, None),
    "prof_share_crr_nat": ("perf: share of samples in the balancer's functions, TCP NAT", "%", "lower", None, None),
    "prof_share_udp_nat": ("perf: share of samples in the balancer's functions, UDP NAT", "%", "lower", None, None),
    "prof_share_udp_1k": ("perf: share of samples in the balancer's functions, UDP NAT, 1k entries", "%", "lower", None, None),
    "prof_share_udp_1m": ("perf: share of samples in the balancer's functions, UDP NAT, full table", "%", "lower", None, None),
    "prof_share_apply": ("perf: share of samples in the balancer's functions, xvsadm apply", "%", "lower", None, None),
    "prof_share_list": ("perf: share of samples in the balancer's functions, ipvsadm -L -n", "%", "lower", None, None),
    "dump_entries_small": ("entries in the table for the small listings (target {small})", "entries", "higher", None, None),
    "conn_proc_small": ("read /proc/net/ip_vs_conn, {small} entries", "ms", "lower", None, ("<=", 1.0)),
    "conn_ipvsadm_small": ("ipvsadm -L -c -n, {small} entries", "ms", "lower", None, ("<=", 1.0)),
    "conn_xvsadm_small": ("xvsadm -L -c -n, {small} entries", "ms", "lower", None, None),
    "dump_entries_full": ("entries in the table for the full listings (target {conns})", "entries", "higher", None, None),
    "conn_proc_full": ("read /proc/net/ip_vs_conn, {conns} entries", "ms", "lower", None, ("<=", 1.0)),
    "conn_ipvsadm_full": ("ipvsadm -L -c -n, {conns} entries", "ms", "lower", None, ("<=", 1.0)),
    "conn_xvsadm_full": ("xvsadm -L -c -n, {conns} entries", "ms", "lower", None, None),
    "cp_restore": ("ipvsadm -R, {svc} services x4", "ms", "lower", None, None),
    "cp_list": ("ipvsadm -L -n, {svc} services", "ms", "lower", None, None),
    "cp_list_xvsadm": ("xvsadm -L -n, {svc} services", "ms", "lower", None, None),
    "cp_list_xvsadm_per_service": ("xvsadm -L -n one request per service (XVS_LIST_PER_SERVICE), {svc} services", "ms", "lower", None, None),
    "cp_apply": ("xvsadm apply (empty -> {svc} services)", "ms", "lower", None, None),
    "cp_change_reload": ("1 service changed: ipvsadm -C; -R", "ms", "lower", None, None),
    "cp_change_apply": ("1 service changed: xvsadm apply", "ms", "lower", None, None),
}

# Cross-tool comparisons: each stack with its own tool.
# name: (what, xvs metric, ipvs metric, target)
STACKS = {
    "cp_load_stack": ("load {svc} services: xvsadm apply on xvs vs ipvsadm -R on IPVS", "cp_apply", "cp_restore", ("<=", 0.2)),
    "cp_change_stack": ("change 1 of {svc}: xvsadm apply on xvs vs ipvsadm -C;-R on IPVS",
                        "cp_change_apply", "cp_change_reload", ("<=", 0.2)),
}


def read_raw(path):
    values = {}  # metric -> lb -> round -> value
    info = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 5 or parts[0] != "XVS-BENCH":
                continue
            metric, lb, rnd = parts[1], parts[2], parts[3]
            if metric == "info":
                info[lb] = " ".join(parts[4:])
                continue
            try:
                value = float(parts[4])
            except ValueError:
                continue
            values.setdefault(metric, {}).setdefault(lb, {})[rnd] = value
    return values, info


def target_met(target, ratio):
    if target is None or ratio is None:
        return None
    op, x = target
    return ratio >= x if op == ">=" else ratio <= x


def summarize(xv, iv, base, target):
    """xv, iv, base: round -> value dicts (base may be None)."""
    row = {"values": {"xvs": xv, "ipvs": iv}}
    med = {}
    for lb, vals in (("xvs", xv), ("ipvs", iv), ("base", base)):
        if vals:
            med[lb] = statistics.median(vals.values())
    row["median"] = med
    ratio = rmin = rmax = None
    if med.get("xvs") is not None and med.get("ipvs"):
        ratio = med["xvs"] / med["ipvs"]
        per = [xv[r] / iv[r] for r in xv if r in iv and iv[r]]
        if per:
            rmin, rmax = min(per), max(per)
    row.update(ratio=ratio, ratio_min=rmin, ratio_max=rmax)
    if base:
        row["values"]["base"] = base
    row["target"] = None if target is None else f"{target[0]} {target[1]}"
    met = target_met(target, ratio)
    if target is None:
        row["verdict"] = None
    elif ratio is None:
        row["verdict"] = "not compared (a balancer has no figure)"
    else:
        row["verdict"] = "met" if met else "target missed"
    return row


# --- the pktgen phase (tests/bench/pktgen.sh) ----------------------------------
PG_CASES = [("nat4", "NAT IPv4"), ("dr4", "DR IPv4"), ("tun4", "TUN IPv4"),
            ("nat6", "NAT IPv6"), ("dr6", "DR IPv6"), ("tun6", "TUN IPv6"),
            ("idle4", "idle balancer, routed IPv4"), ("idle6", "idle balancer, routed IPv6")]
PG_FLOWS = ["1", "10k"]
# the balancers of the pktgen phase; xvsfast: xvs with net.xvs.fast_path=1
PG_LBS = ("ipvs", "xvs", "xvsfast")


def pg_valid(values, case, flows, lb):
    """round -> pps of the rounds whose packets were all delivered (and, for
    xvsfast with a service, all went the fast path); the rounds that lost
    packets (round -> (lost at the realservers, missing in the balancer's
    counters)); the delivered rounds of xvsfast that were not all on the
    fast path (round -> packets that missed it, None: no figure)."""
    key = f"{case}_{flows}"
    pps = values.get("pg_pps_" + key, {}).get(lb, {})
    lost = values.get("pg_lost_" + key, {}).get(lb, {})
    miss = values.get("pg_lbmiss_" + key, {}).get(lb, {})
    # (the idle cases have no service: nothing to go the fast path)
    fast = lb == "xvsfast" and not case.startswith("idle")
    fmiss = values.get("pg_fastmiss_" + key, {}).get(lb, {})
    ok, bad, slow = {}, {}, {}
    for r, v in pps.items():
        l, m = lost.get(r), miss.get(r, 0)
        if l is None or l != 0 or m != 0:
            bad[r] = (l, m)
        elif fast and fmiss.get(r) != 0:
            slow[r] = fmiss.get(r)
        else:
            ok[r] = v
    return ok, bad, slow


def pg_int(v):
    return "?" if v is None else f"{v:.0f}"


def med_range(vals):
    if not vals:
        return None, None, None
    return statistics.median(vals), min(vals), max(vals)


def pps_ratio(row, per, lb):
    """LB / IPVS of the median pps, and min-max of the rounds' ratios."""
    ratio = rmin = rmax = None
    if row["pps"].get(lb) and row["pps"].get("ipvs"):
        ratio = row["pps"][lb] / row["pps"]["ipvs"]
        rr = [per[lb][r] / per["ipvs"][r] for r in per[lb] if r in per["ipvs"]]
        if rr:
            rmin, rmax = min(rr), max(rr)
    return ratio, rmin, rmax


def cost_ratio(row, lb):
    """LB / IPVS of the ns per packet over the routed baseline."""
    lo, io = row["ns_over_base"].get(lb), row["ns_over_base"].get("ipvs")
    return lo / io if lo is not None and io and io > 0 else None


def pktgen_rows(values):
    rows = {}
    for case, what in PG_CASES:
        fam = case[-1]
        for flows in PG_FLOWS:
            base, base_bad, _ = pg_valid(values, "route" + fam, flows, "base")
            row = {"what": f"{what}, {'1 flow' if flows == '1' else '10,100 flows'}",
                   "case": case, "flows": flows, "pps": {}, "ns_per_pkt": {},
                   "ns_over_base": {}, "ns_over_base_min": {}, "ns_over_base_max": {},
                   "rounds": {}, "lost_rounds": {}, "not_fast_rounds": {}}
            base_med = statistics.median(base.values()) if base else None
            row["pps"]["base"] = base_med
            row["ns_per_pkt"]["base"] = 1e9 / base_med if base_med else None
            if base_bad:
                row["lost_rounds"]["base"] = {r: {"lost": l, "balancer_missed": m} for r, (l, m) in base_bad.items()}
            per = {}
            for lb in PG_LBS:
                ok, bad, slow = pg_valid(values, case, flows, lb)
                per[lb] = ok
                row["rounds"][lb] = ok
                if bad:
                    row["lost_rounds"][lb] = {r: {"lost": l, "balancer_missed": m} for r, (l, m) in bad.items()}
                if slow:
                    row["not_fast_rounds"][lb] = {r: {"fast_path_missed": f} for r, f in slow.items()}
                if not ok:
                    continue
                m = statistics.median(ok.values())
                row["pps"][lb] = m
                row["ns_per_pkt"][lb] = 1e9 / m
                # ns over the routed baseline of the same round
                over = [1e9 / ok[r] - 1e9 / base[r] for r in ok if r in base]
                row["ns_over_base"][lb], row["ns_over_base_min"][lb], row["ns_over_base_max"][lb] = med_range(over)
            row["rounds"]["base"] = base
            ratio, rmin, rmax = pps_ratio(row, per, "xvs")
            row.update(ratio=ratio, ratio_min=rmin, ratio_max=rmax)
            ratio, rmin, rmax = pps_ratio(row, per, "xvsfast")
            row.update(ratio_fast=ratio, ratio_fast_min=rmin, ratio_fast_max=rmax)
            row["cost_ratio"] = cost_ratio(row, "xvs")
            row["cost_ratio_fast"] = cost_ratio(row, "xvsfast")
            row["delivered"] = not row["lost_rounds"]
            row["all_fast"] = not row["not_fast_rounds"]
            rows[f"pg_{case}_{flows}"] = row
    return rows


def read_profile(path):
    """[(share %, ns per packet, dso, symbol)] of a pktgen profile file."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.split()
            if len(p) < 4 or not p[0].endswith("%"):
                continue
            try:
                out.append((float(p[0][:-1]), float(p[1]), p[2], " ".join(p[3:])))
            except ValueError:
                continue
    return out


def pktgen_profiles(out):
    """The profiles of the pktgen phase: per balancer the top symbols, the
    ns per packet by module, and the symbols that grew most over the routed
    baseline."""
    profs = {}
    for lb in ("base",) + PG_LBS:
        for case in ("nat4", "route4"):
            path = os.path.join(out, f"profile-{lb}-pktgen_{case}.txt")
            if os.path.exists(path):
                profs[lb] = {"case": case, "symbols": read_profile(path)}
    res = {}
    base = {}
    if "base" in profs:
        for _, ns, dso, sym in profs["base"]["symbols"]:
            base[(dso, sym)] = base.get((dso, sym), 0) + ns
    for lb, p in profs.items():
        by_dso = {}
        mpath = os.path.join(out, f"profile-{lb}-pktgen_{p['case']}_modules.txt")
        if os.path.exists(mpath):
            # every sample's module (the symbol list is cut to its top)
            with open(mpath, encoding="utf-8", errors="replace") as f:
                for line in f:
                    q = line.split()
                    if len(q) == 3 and q[0].endswith("%"):
                        by_dso[q[2]] = by_dso.get(q[2], 0) + float(q[1])
        else:
            for _, ns, dso, _ in p["symbols"]:
                by_dso[dso] = by_dso.get(dso, 0) + ns
        entry = {"case": p["case"], "top": [{"share": sh, "ns": ns, "dso": d, "symbol": sy}
                                             for sh, ns, d, sy in p["symbols"][:25]],
                 "ns_by_module": dict(sorted(by_dso.items(), key=lambda kv: -kv[1]))}
        if lb != "base" and base:
            mine = {}
            for _, ns, dso, sym in p["symbols"]:
                mine[(dso, sym)] = mine.get((dso, sym), 0) + ns
            delta = {k: mine.get(k, 0) - base.get(k, 0) for k in set(mine) | set(base)}
            entry["over_base"] = [{"dso": k[0], "symbol": k[1], "ns": v}
                                  for k, v in sorted(delta.items(), key=lambda kv: -kv[1])[:20]]
        res[lb] = entry
    return res


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def main():
    out = sys.argv[1]
    values, info = read_raw(os.path.join(out, "raw.txt"))
    # derived: flatness per balancer
    for lb in ("xvs", "ipvs"):
        a = values.get("udp_1k", {}).get(lb, {}).get("1")
        b = values.get("udp_1m", {}).get(lb, {}).get("1")
        if a and b is not None:
            values.setdefault("udp_flat", {}).setdefault(lb, {})["1"] = b / a
    # a listing that did not finish within the cap: its figure is the cap
    # (a lower bound), marked in the table
    capped = {}
    for name in [m for m in values if m.endswith("_capped")]:
        for lb, rounds in values.pop(name).items():
            base_name = name[:-len("_capped")]
            values.setdefault(base_name, {}).setdefault(lb, {}).update(rounds)
            capped.setdefault(base_name, []).append(lb)
    conns = info.get("conns", "?")
    names = {"svc": info.get("services", "?"), "conns": conns,
             "fill": info.get("fill", "?"),
             "small": int(conns) // 10 if conns.isdigit() else "?"}
    rows = {}
    for name, (what, unit, better, base_key, target) in METRICS.items():
        m = values.get(name, {})
        if not m.get("xvs") and not m.get("ipvs"):
            continue
        base = values.get(base_key, {}).get("base") if base_key else None
        row = summarize(m.get("xvs", {}), m.get("ipvs", {}), base, target)
        row.update(what=what.format(**names), unit=unit, better=better)
        if name in capped:
            row["capped"] = capped[name]
            row["what"] += " (" + ", ".join(capped[name]) + ": did not finish, the figure is the cap)"
        rows[name] = row
    for name, (what, xm, im, target) in STACKS.items():
        xv = values.get(xm, {}).get("xvs", {})
        iv = values.get(im, {}).get("ipvs", {})
        if not xv or not iv:
            continue
        row = summarize(xv, iv, None, target)
        row.update(what=what.format(**names), unit="ms", better="lower")
        rows[name] = row

    micro = []
    mpath = os.path.join(out, "micro.json")
    if os.path.exists(mpath):
        with open(mpath, encoding="utf-8") as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}.get(b.get("time_unit", "ns"), 1)
            micro.append({"name": b["name"], "ns": b["cpu_time"] * scale})

    failures = []
    fpath = os.path.join(out, "failures.txt")
    if os.path.exists(fpath):
        with open(fpath, encoding="utf-8") as f:
            failures = [l.strip() for l in f if l.strip()]

    pg = pktgen_rows(values)
    pg = {k: v for k, v in pg.items()
          if any(v["pps"].get(lb) for lb in PG_LBS) or v["lost_rounds"] or v["not_fast_rounds"]}
    pg_prof = pktgen_profiles(out)
    result = {"vm": info.get("vm"), "metrics": rows, "micro": micro, "failures": failures,
              "ratio": "xvs / IPVS of the medians; min-max over the rounds' ratios"}
    if pg:
        result["pktgen"] = {
            "vm": info.get("pg_vm"), "packets_per_run": info.get("pg_count"),
            "method": ("pktgen xmit_mode netif_receive into the director's eth0, UDP 64 B to the VIP, "
                       "forwarded to 2 realservers that count and drop at ingress; 1 vCPU, "
                       "QEMU TCG -icount shift=0,sleep=off: guest time = instructions executed "
                       "(1 ns each), so ns per packet ~ instructions per packet"),
            "balancers": "ipvs: IPVS; xvs: xvs; xvsfast: xvs with net.xvs.fast_path=1 in the director; "
                         "base: routed, no balancer",
            "ratio": "xvs / IPVS packets per second of the medians; min-max over the rounds' ratios",
            "ratio_fast": "xvsfast / IPVS packets per second of the medians; min-max over the rounds' ratios",
            "ns_over_base": "median over rounds of (ns per packet - the same round's routed ns per packet)",
            "cost_ratio": "xvs / IPVS of ns_over_base",
            "cost_ratio_fast": "xvsfast / IPVS of ns_over_base",
            "delivered": "false when any round lost packets (at the realservers or in the balancer's InPkts); "
                         "such rounds are left out of every figure",
            "all_fast": "false when a round of xvsfast had packets that did not go the fast path "
                        "(sent - the director's /proc/net/xvs_fast_path requests; None: no figure); "
                        "such rounds (not_fast_rounds) are left out of every figure",
            "rows": pg, "profiles": pg_prof}
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)

    lines = []
    lines.append(f"xvs vs IPVS, one VM ({info.get('vm', 'unknown')}); medians over the rounds;")
    lines.append("ratio = xvs/IPVS (min-max of the per-round ratios); base = routed, no balancer")
    hdr = f"{'metric':<16} {'unit':<8} {'base':>10} {'IPVS':>10} {'xvs':>10} {'ratio':>7} {'min-max':>13}  target"
    lines.append(hdr)
    lines.append("-" * len(hdr))
    for name, row in rows.items():
        med = row["median"]
        mm = "-" if row["ratio_min"] is None else f"{row['ratio_min']:.2f}-{row['ratio_max']:.2f}"
        tgt = ""
        if row["target"]:
            tgt = f"{row['target']}: {row['verdict']}"
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        shown = {lb: fmt(med.get(lb)) + (">" if lb in row.get("capped", []) else "")
                 for lb in ("base", "ipvs", "xvs")}
        lines.append(f"{name:<16} {row['unit']:<8} {shown['base']:>10} {shown['ipvs']:>10} "
                     f"{shown['xvs']:>10} {ratio:>7} {mm:>13}  {tgt}")
    if capped:
        lines.append("N>: did not finish within the cap (XVS_BENCH_DUMPCAP); the figure is a lower bound")
    lines.append("")
    for name, row in rows.items():
        lines.append(f"  {name}: {row['what']}")
    if micro:
        lines.append("")
        lines.append("host microbenchmarks of the core (CPU ns per operation):")
        sched = {}
        other = []
        for b in micro:
            parts = b["name"].split("/")
            if parts[0] == "sched_decision" and len(parts) == 3:
                sched.setdefault(parts[1], {})[parts[2]] = b["ns"]
            else:
                other.append(b)
        if sched:
            sizes = sorted({s for v in sched.values() for s in v}, key=int)
            lines.append("  scheduler  " + "".join(f"{s + ' dests':>12}" for s in sizes))
            for s, v in sched.items():
                lines.append(f"  {s:<10} " + "".join(f"{fmt(v.get(k)):>12}" for k in sizes))
        for b in other:
            lines.append(f"  {b['name']:<28} {fmt(b['ns']):>10}")
    if pg:
        lines.append("")
        lines.append("pktgen: per-packet cost of the balancer alone (" + str(info.get("pg_vm", "?")) + ";")
        lines.append("  1 vCPU, QEMU -icount shift=0,sleep=off: guest ns = instructions executed;")
        lines.append(f"  {info.get('pg_count', '?')} UDP packets per run injected with pktgen netif_receive; medians over the rounds;")
        lines.append("  fast = xvsfast, xvs with net.xvs.fast_path=1 in the director;")
        lines.append("  ns+ = ns per packet over the routed baseline of the same round;")
        lines.append("  ratio, fratio = xvs/IPVS, xvsfast/IPVS pps (median, min-max of the rounds);")
        lines.append("  cost, fcost = xvs ns+ / IPVS ns+, xvsfast ns+ / IPVS ns+; rounds that lost packets")
        lines.append("  or, of xvsfast, did not all go the fast path are left out and flagged)")

        def rmm(r, lo, hi):
            if r is None:
                return "-"
            return f"{r:.3f}" + ("" if lo is None else f" {lo:.2f}-{hi:.2f}")

        def cst(c):
            return "-" if c is None else f"{c:.2f}"
        hdr = (f"{'case':<6} {'flows':>5} {'base pps':>9} {'IPVS pps':>9} {'xvs pps':>9} {'fast pps':>9} "
               f"{'IPVS ns+':>8} {'xvs ns+':>8} {'fast ns+':>8} {'ratio(min-max)':>15} "
               f"{'fratio(min-max)':>15} {'cost':>5} {'fcost':>5}  delivered")
        lines.append(hdr)
        lines.append("-" * len(hdr))
        for name, row in pg.items():
            p, o = row["pps"], row["ns_over_base"]
            flags = []
            if not row["delivered"]:
                flags.append("NO: " + "; ".join(
                    f"{lb} round {r}: {pg_int(d['lost'])} short at the realservers, "
                    f"{pg_int(d['balancer_missed'])} short in the balancer's InPkts"
                    for lb, rs in row["lost_rounds"].items() for r, d in sorted(rs.items())))
            if not row["all_fast"]:
                flags.append("not all on the fast path: " + "; ".join(
                    f"{lb} round {r}: {pg_int(d['fast_path_missed'])} missed it"
                    for lb, rs in row["not_fast_rounds"].items() for r, d in sorted(rs.items())))
            dl = "; ".join(flags) if flags else "all"
            lines.append(f"{row['case']:<6} {row['flows']:>5} {fmt(p.get('base')):>9} {fmt(p.get('ipvs')):>9} "
                         f"{fmt(p.get('xvs')):>9} {fmt(p.get('xvsfast')):>9} {fmt(o.get('ipvs')):>8} "
                         f"{fmt(o.get('xvs')):>8} {fmt(o.get('xvsfast')):>8} "
                         f"{rmm(row['ratio'], row['ratio_min'], row['ratio_max']):>15} "
                         f"{rmm(row['ratio_fast'], row['ratio_fast_min'], row['ratio_fast_max']):>15} "
                         f"{cst(row['cost_ratio']):>5} {cst(row['cost_ratio_fast']):>5}  {dl}")
    if pg_prof:
        for lb in ("xvs", "xvsfast", "ipvs"):
            e = pg_prof.get(lb)
            if not e:
                continue
            lines.append("")
            shown = "xvsfast (xvs, net.xvs.fast_path=1)" if lb == "xvsfast" else lb
            lines.append(f"pktgen profile, {shown}, {e['case']} 10k flows (perf cpu-clock; ns per packet = share x measured ns/packet):")
            lines.append("  by module: " + ", ".join(f"{d} {ns:.0f}" for d, ns in list(e["ns_by_module"].items())[:6]))
            lines.append("  top symbols:")
            for t in e["top"][:15]:
                lines.append(f"    {t['share']:6.2f}% {t['ns']:7.1f} ns  {t['dso']} {t['symbol']}")
            if e.get("over_base"):
                lines.append("  symbols that grew most over the routed profile (ns per packet):")
                for t in e["over_base"][:12]:
                    lines.append(f"    {t['ns']:+7.1f} ns  {t['dso']} {t['symbol']}")
    if failures:
        lines.append("")
        lines.append("parts that failed to run:")
        lines.extend("  " + l for l in failures)
    with open(os.path.join(out, "table.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    # plot: xvs's advantage (>1: xvs better) with the rounds' range
    with open(os.path.join(out, "ratios.dat"), "w", encoding="utf-8") as f:
        i = 0
        for name, row in rows.items():
            if (row["ratio"] is None or row["ratio"] <= 0 or
                    (row["ratio_min"] or 1) <= 0):
                continue
            lo = row["ratio_min"] or row["ratio"]
            hi = row["ratio_max"] or row["ratio"]
            if row["better"] == "lower":
                adv, lo, hi = 1 / row["ratio"], 1 / hi, 1 / lo
            else:
                adv = row["ratio"]
            f.write(f"{i} {name} {adv:.4f} {lo:.4f} {hi:.4f}\n")
            i += 1
        # pktgen: xvs/IPVS packets per second (higher: xvs better), and
        # xvsfast/IPVS as <row>_fast
        for name, row in pg.items():
            for key, bar in (("ratio", name), ("ratio_fast", name + "_fast")):
                if not row[key]:
                    continue
                lo = row[key + "_min"] or row[key]
                hi = row[key + "_max"] or row[key]
                f.write(f"{i} {bar} {row[key]:.4f} {lo:.4f} {hi:.4f}\n")
                i += 1
    with open(os.path.join(out, "ratios.gp"), "w", encoding="utf-8") as f:
        f.write(f"""set terminal pngcairo size 1200,600 noenhanced
set output '{out}/ratios.png'
set title 'xvs vs IPVS: advantage of xvs (>1: xvs better), bars: median, whiskers: rounds min-max; pg_*: pktgen phase (1 vCPU, -icount); pg_*_fast: xvs with net.xvs.fast_path=1'
set style fill solid 0.6
set boxwidth 0.6
set logscale y 2
set yrange [0.0625:64]
set ylabel 'xvs advantage (log scale)'
set xtics rotate by -45 nomirror
set grid ytics
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb 'red'
plot '{out}/ratios.dat' using 1:3:xtic(2) with boxes lc rgb '#4477aa' title 'xvs advantage', \\
     '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0 title 'min-max'
""")


if __name__ == "__main__":
    main()
