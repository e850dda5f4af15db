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

    result = {"vm": info.get("vm"), "metrics": rows, "micro": micro, "failures": failures,
              "ratio": "xvs / IPVS of the medians; min-max over the rounds' ratios"}
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
    with open(os.path.join(out, "ratios.gp"), "w", encoding="utf-8") as f:
        f.write(f"""set terminal pngcairo size 1200,600 noenhanced
set output '{out}/ratios.png'
set title 'xvs vs IPVS in one VM: advantage of xvs (>1: xvs better), bars: median, whiskers: rounds min-max'
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
