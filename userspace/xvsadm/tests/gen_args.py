#!/usr/bin/env python3
"""Generates the argument vectors of the xvsadm/ipvsadm differential test.

Output: one vector per line, each argument shell-quoted (bash: eval
"args=($line)").  The base table the vectors run against is in
tests/qemu/xvsadm_diff.sh.  Run: gen_args.py > tests/qemu/xvsadm_args.txt
"""
import itertools
import shlex

V = []


def add(*args):
    V.append(list(args))


SVC = ["-t", "10.0.0.1:80"]          # exists in the base table
SVC_NEW = ["-t", "10.0.0.2:8080"]    # does not exist
USVC = ["-u", "10.0.0.1:53"]
FSVC = ["-f", "7"]
V6SVC = ["-t", "[2001:db8::1]:443"]
DEST = ["-r", "10.0.1.1:80"]         # exists under SVC
DEST_NEW = ["-r", "10.0.1.2"]

# value given to each option when it is combined with every command
OPTVAL = {
    "-n": [], "-c": [], "-s": ["rr"], "-p": ["300"], "-M": ["255.255.255.0"],
    "-r": ["10.0.1.9:80"], "-m": [], "-g": [], "-i": [], "-w": ["3"],
    "-x": ["100"], "-y": ["10"], "--mcast-interface": ["lo"],
    "--timeout": [], "--daemon": [], "--stats": [], "--rate": [],
    "--thresholds": [], "--persistent-conn": [], "--nosort": [],
    "--sort": [], "--syncid": ["5"], "--exact": [], "-o": [],
    "--pe": ["sip"], "-b": ["flag-1"], "--mcast-group": ["224.0.0.99"],
    "--mcast-port": ["9999"], "--mcast-ttl": ["3"], "--sync-maxlen": ["1400"],
    "--tun-info": [], "--tun-type": ["gue"], "--tun-port": ["6080"],
    "--tun-nocsum": [], "--tun-csum": [], "--tun-remcsum": [], "-6": [],
}

COMMANDS = {
    "-A": SVC_NEW, "-E": SVC, "-D": SVC, "-C": [], "-L": [], "-a": SVC + DEST_NEW,
    "-e": SVC + DEST, "-d": SVC + DEST, "--set": ["900", "120", "300"],
    "--start-daemon": ["master"], "--stop-daemon": ["master"], "-S": [],
    "-Z": [], "-l": [], "-R": [],
}

# 1. every command alone, and with each option
for cmd, base in COMMANDS.items():
    if cmd in ("--start-daemon", "--stop-daemon"):
        add(cmd, *base)
    else:
        add(cmd, *base)
    for opt, val in OPTVAL.items():
        if cmd in ("--start-daemon", "--stop-daemon"):
            add(cmd, base[0], opt, *val)
        else:
            add(cmd, *base, opt, *val)

# 2. long names, bundles, popt syntax
for v in [
    [], ["-h"], ["--help"], ["-v"], ["--version"], ["-h", "-v"], ["-v", "-h"],
    ["-L", "-h"], ["foo"], ["--bogus"], ["-q"], ["-"], ["--"], ["--", "-L"],
    ["-L", "--"], ["-L", "--", "x"], ["-Ln"], ["-nL"], ["-Lnc"], ["-L", "-nc"],
    ["-L", "-n", "extra"], ["-L", "a", "b"], ["-At", "10.0.0.3:80"],
    ["-At10.0.0.3:80"], ["-A", "-t10.0.0.3:80"], ["-A", "--tcp-service=10.0.0.3:80"],
    ["-A", "--tcp-service", "10.0.0.3:80", "--scheduler=rr"],
    ["--add-service", "--tcp-service", "10.0.0.3:80"],
    ["--edit-service", "-t", "10.0.0.1:80", "-s", "wrr"],
    ["--delete-service", "-t", "10.0.0.1:80"], ["--clear"], ["--list"],
    ["--list", "--numeric"], ["--zero"], ["--save"], ["--save", "--numeric"],
    ["--add-server", "-t", "10.0.0.1:80", "--real-server", "10.0.1.3", "--masquerading"],
    ["--edit-server", "-t", "10.0.0.1:80", "--real-server", "10.0.1.1:80", "--weight", "9"],
    ["--delete-server", "-t", "10.0.0.1:80", "--real-server", "10.0.1.1:80"],
    ["-a", "-t", "10.0.0.1:80", "-r", "10.0.1.3", "--gatewaying"],
    ["-a", "-t", "10.0.0.1:80", "-r", "10.0.1.3", "--ipip"],
    ["-L", "--connection"], ["-L", "-c", "-n"], ["-L", "--list"],
    ["-L", "-A"], ["-A", "-L"], ["-A", "-t", "10.0.0.3:80", "-D"],
    ["-A", "-A", "-t", "10.0.0.3:80"], ["-L", "-L"], ["-C", "-C"],
    ["-L", "-n", "-n"], ["-L", "--stats", "--stats"],
    ["-t", "10.0.0.1:80"], ["-n"], ["-s", "rr"], ["-w"], ["-A", "-t"],
    ["-A", "-s"], ["-a", "-t", "10.0.0.1:80", "-r"], ["--start-daemon"],
    ["--stop-daemon"], ["--start-daemon", "bogus"], ["--stop-daemon", "bogus"],
    ["--start-daemon=master", "--mcast-interface=lo"],
    ["-A", "-t", "10.0.0.3:80", "-p"], ["-A", "-t", "10.0.0.3:80", "-p", "-s", "rr"],
    ["-A", "-t", "10.0.0.3:80", "-s", "rr", "-p"],
    ["-A", "-t", "10.0.0.3:80", "-p", "120"], ["-A", "-t", "10.0.0.3:80", "--persistent=120"],
    ["-A", "-t", "10.0.0.3:80", "--persistent", "120"],
    ["-A", "-t", "10.0.0.3:80", "-p120"], ["-A", "-t", "10.0.0.3:0"],
    ["-A", "-t", "10.0.0.3:0", "-p"], ["-A", "-t", "10.0.0.3"],
    ["-A", "-t", "10.0.0.3", "-p", "60"], ["-A", "-u", "10.0.0.3:53", "-o"],
    ["-A", "-t", "10.0.0.3:53", "-o"], ["-A", "-f", "9", "-o"],
    ["-A", "--sctp-service", "10.0.0.3:99"], ["-A", "--sctp-service", "10.0.0.3:99", "-o"],
    ["-A", "-t", "10.0.0.3:80", "-s", ""], ["-A", "-t", "10.0.0.3:80", "-s", "nosuch"],
    ["-A", "-t", "10.0.0.3:80", "-s", "averyveryverylongschedulername"],
    ["-A", "-t", "10.0.0.3:80", "--pe", "nosuch"], ["-A", "-t", "10.0.0.3:80", "-p", "--pe", "sip"],
    ["-E", "-t", "10.0.0.2:8080", "-s", "rr"], ["-D", "-t", "10.0.0.2:8080"],
    ["-A", "-t", "10.0.0.1:80"], ["-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1:80", "-m"],
    ["-a", "-t", "10.0.0.2:8080", "-r", "10.0.1.1"], ["-e", "-t", "10.0.0.1:80", "-r", "10.0.1.8:80", "-m"],
    ["-d", "-t", "10.0.0.1:80", "-r", "10.0.1.8"], ["-d", "-t", "10.0.0.2:8080", "-r", "10.0.1.8"],
    ["-Z", "-t", "10.0.0.2:8080"], ["-Z", "-t", "10.0.0.1:80"], ["-Z", "-f", "7"],
    ["-Z", "-t", "0.0.0.0:0"], ["-L", "-t", "10.0.0.2:8080"], ["-L", "-n", "-t", "10.0.0.1:80"],
    ["-L", "-n", "-f", "7"], ["-L", "-n", "-t", "[2001:db8::1]:443"],
    ["-L", "-n", "-t", "10.0.0.1:80", "--stats"], ["-L", "-n", "-u", "10.0.0.1:53", "--rate"],
    ["--stop-daemon", "backup"], ["--start-daemon", "master", "--mcast-interface", "nosuchif"],
    ["--start-daemon", "master"], ["--start-daemon", "backup", "--mcast-interface", "lo", "--syncid", "3"],
]:
    add(*v)

# 3. bad values for each valued option
BAD_NUM = ["", "abc", "-1", "1x", "0x10", " 5", "5 ", "99999999999999999999"]
for w in BAD_NUM + ["0", "65535", "65536", "70000", "2147483647", "2147483648", "+5", "007"]:
    add("-a", *SVC, "-r", "10.0.1.5", "-w", w)
    add("-e", *SVC, *DEST, "-w", w)
for x in BAD_NUM + ["0", "2147483647", "2147483648", "4294967295"]:
    add("-a", *SVC, "-r", "10.0.1.5", "-x", x)
    add("-a", *SVC, "-r", "10.0.1.5", "-y", x)
for p in BAD_NUM + ["0", "1", "2678400", "2678401"]:
    add("-A", "-t", "10.0.0.3:80", "-p", p)
for t in [["1", "2"], ["1", "2", "3"], ["0", "0", "0"], ["1", "2", "3", "4"],
          ["x", "2", "3"], ["1", "x", "3"], ["1", "2", "x"], ["-1", "2", "3"],
          ["2678400", "1", "1"], ["2678401", "1", "1"], []]:
    add("--set", *t)
for f in ["0", "-1", "1", "4294967295", "4294967296", "abc", "", "1.5", "0x7", "2147483648"]:
    add("-A", "-f", f)
    add("-L", "-n", "-f", f)
for s in ["", "1", "65535", "10.0.0.3", "10.0.0.3:", "10.0.0.3:65536",
          "10.0.0.3:-1", "10.0.0.3:http", "10.0.0.3:nosuchservice",
          "10.0.0.3:domain", "localhost:80", "localhost:smtp", "nosuchhost:80",
          "10.0.0.3:80:90", "[2001:db8::3]:80", "[2001:db8::3]", "2001:db8::3",
          "[2001:db8::3]80", "[2001:db8::3:80", "[10.0.0.3]:80", "::1", "[::]:80",
          "0.0.0.0:80", "1.2.3:80", "1.2:80", "1:80", "0x0a000003:80",
          "255.255.255.255:80", "224.0.0.1:80", "10.0.0.3:0x50", "10.0.0.3:080"]:
    add("-A", "-t", s, "-p")
    add("-A", "-u", s)
for s in ["10.0.0.3:domain", "10.0.0.3:ssh", "10.0.0.3:sip"]:
    add("-A", "--sctp-service", s)
for r in ["", "10.0.1.5", "10.0.1.5:81", "10.0.1.5:http", "10.0.1.5:nosuch",
          "[2001:db8::5]:80", "2001:db8::5", "nosuchhost", "localhost", "10.0.1.5:70000"]:
    for fwd in (["-m"], ["-g"], ["-i"], []):
        add("-a", *SVC, "-r", r, *fwd)
for r in ["10.0.1.5", "[2001:db8::5]:443", "2001:db8::6"]:
    for fwd in (["-m"], ["-g"], ["-i"]):
        add("-a", *V6SVC, "-r", r, *fwd)
        add("-a", "-f", "7", "-r", r, *fwd)
add("-a", "-r", "10.0.1.5", "-t", "10.0.0.1:80", "-m")
add("-a", "-r", "10.0.1.5:99", "-t", "10.0.0.1:80", "-m")
for m in ["255.255.255.0", "255.255.0.0", "0.0.0.0", "255.255.255.255", "24",
          "abc", "", "localhost", "1.2.3.4.5", "255.0.255.0"]:
    add("-A", "-t", "10.0.0.3:80", "-p", "-M", m)
for m in ["64", "0", "1", "128", "129", "abc", "", "-5", "64x"]:
    add("-A", *["-t", "[2001:db8::3]:80"], "-p", "-M", m)
    add("-A", "-f", "9", "-6", "-p", "-M", m)
    add("-A", "-f", "9", "-p", "-M", m, "-6")
add("-A", "-6", "-f", "9")
add("-A", "-f", "9", "-6", "-6")
add("-L", "-6")
for b in ["flag-1", "flag-2", "flag-3", "flag-1,flag-2,flag-3", "sh-port", "sh-fallback",
          "mh-port", "mh-fallback", "bogus", "", "flag-1,", ",flag-2", "flag-1,,flag-3",
          "flag-1,bogus", "sh-port,sh-fallback"]:
    for s in ([], ["-s", "sh"], ["-s", "mh"], ["-s", "rr"]):
        add("-A", "-t", "10.0.0.3:80", *s, "-b", b)
add("-A", "-t", "10.0.0.3:80", "-b", "sh-port", "-s", "sh")
add("-L", "-b", "bogus")
add("-E", *SVC, "-b", "flag-2")
for g in ["224.0.0.81", "239.1.2.3", "10.0.0.1", "ff02::1", "2001:db8::1", "bogus", "",
          "ff02::zz", "224.0.0", "255.255.255.255"]:
    add("--start-daemon", "master", "--mcast-interface", "lo", "--mcast-group", g)
for p in ["0", "1", "65535", "65536", "abc", ""]:
    add("--start-daemon", "master", "--mcast-interface", "lo", "--mcast-port", p)
for t in ["0", "1", "255", "256", "abc"]:
    add("--start-daemon", "master", "--mcast-interface", "lo", "--mcast-ttl", t)
for n in ["0", "1", "65507", "65508", "abc"]:
    add("--start-daemon", "master", "--mcast-interface", "lo", "--sync-maxlen", n)
for i in ["0", "255", "256", "-1", "abc"]:
    add("--start-daemon", "master", "--mcast-interface", "lo", "--syncid", i)
    add("--stop-daemon", "master", "--syncid", i)
add("--start-daemon", "master", "--mcast-interface", "averyveryverylonginterfacename")
add("--start-daemon", "master", "--mcast-interface", "lo", "--mcast-group", "ff02::1",
    "--mcast-port", "7777", "--mcast-ttl", "2", "--sync-maxlen", "1000", "--syncid", "9")

# 4. tunnels
TUN = ["--tun-type", "--tun-port", "--tun-nocsum", "--tun-csum", "--tun-remcsum"]
for fwd in (["-i"], ["-m"], ["-g"], []):
    for ttype in ([], ["--tun-type", "ipip"], ["--tun-type", "gue"], ["--tun-type", "gre"]):
        for extra in ([], ["--tun-port", "6080"], ["--tun-nocsum"], ["--tun-csum"],
                      ["--tun-remcsum"], ["--tun-port", "6080", "--tun-csum"],
                      ["--tun-port", "6080", "--tun-csum", "--tun-remcsum"],
                      ["--tun-nocsum", "--tun-csum"]):
            add("-a", *SVC, "-r", "10.0.1.6", *fwd, *ttype, *extra)
for tt in ["bogus", "", "IPIP", "gue"]:
    add("-a", *SVC, "-r", "10.0.1.6", "-i", "--tun-type", tt, "--tun-port", "1")
for tp in ["0", "1", "65535", "65536", "x"]:
    add("-a", *SVC, "-r", "10.0.1.6", "-i", "--tun-type", "gue", "--tun-port", tp)
add("-e", *SVC, *DEST, "-i", "--tun-type", "gre", "--tun-csum")
add("-d", *SVC, *DEST, "-i", "--tun-type", "gre")

# 5. list conflicts
LISTOPTS = ["-c", "--timeout", "--daemon", "--stats", "--rate", "--thresholds",
            "--persistent-conn", "--tun-info", "--exact", "--nosort", "-n"]
for a, b in itertools.combinations(LISTOPTS, 2):
    add("-L", a, b)
for a in ["-c", "--timeout", "--daemon"]:
    add("-L", *SVC, a)
add("-L", "--stats", "--rate", "--thresholds", "--persistent-conn", "--tun-info")

for v in V:
    print(" ".join(shlex.quote(a) for a in v))
