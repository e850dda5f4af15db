// xvsadm: -h and -v texts, byte for byte those of ipvsadm 1.31 (its users
// and scripts read them); the program name is the one xvsadm was run as.
#include "cli.hpp"

namespace xvsadm {

std::string version_text()
{
	return "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n";
}

std::string usage_text(const std::string &prog)
{
	std::string s = version_text();
	s += "Usage:" "\n";
	s += "  " + prog + " -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]" "\n";
	s += "  " + prog + " -D virtual-service" "\n";
	s += "  " + prog + " -C" "\n";
	s += "  " + prog + " -R" "\n";
	s += "  " + prog + " -S [-n]" "\n";
	s += "  " + prog + " -a|e virtual-service -r server-address [options]" "\n";
	s += "  " + prog + " -d virtual-service -r server-address" "\n";
	s += "  " + prog + " -L|l [virtual-service] [options]" "\n";
	s += "  " + prog + " -Z [virtual-service]" "\n";
	s += "  " + prog + " --set tcp tcpfin udp" "\n";
	s += "  " + prog + " --start-daemon {master|backup} [daemon-options]" "\n";
	s += "  " + prog + " --stop-daemon {master|backup}" "\n";
	s += "  " + prog + " -h" "\n";
	s += "" "\n";
	s += "Commands:" "\n";
	s += "Either long or short options are allowed." "\n";
	s += "  --add-service     -A        add virtual service with options" "\n";
	s += "  --edit-service    -E        edit virtual service with options" "\n";
	s += "  --delete-service  -D        delete virtual service" "\n";
	s += "  --clear           -C        clear the whole table" "\n";
	s += "  --restore         -R        restore rules from stdin" "\n";
	s += "  --save            -S        save rules to stdout" "\n";
	s += "  --add-server      -a        add real server with options" "\n";
	s += "  --edit-server     -e        edit real server with options" "\n";
	s += "  --delete-server   -d        delete real server" "\n";
	s += "  --list            -L|-l     list the table" "\n";
	s += "  --zero            -Z        zero counters in a service or all services" "\n";
	s += "  --set tcp tcpfin udp        set connection timeout values" "\n";
	s += "  --start-daemon              start connection sync daemon" "\n";
	s += "  --stop-daemon               stop connection sync daemon" "\n";
	s += "  --help            -h        display this help message" "\n";
	s += "" "\n";
	s += "virtual-service:" "\n";
	s += "  --tcp-service|-t  service-address   service-address is host[:port]" "\n";
	s += "  --udp-service|-u  service-address   service-address is host[:port]" "\n";
	s += "  --sctp-service    service-address   service-address is host[:port]" "\n";
	s += "  --fwmark-service|-f fwmark          fwmark is an integer greater than zero" "\n";
	s += "" "\n";
	s += "Options:" "\n";
	s += "  --ipv6         -6                   fwmark entry uses IPv6" "\n";
	s += "  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh," "\n";
	s += "                                      the default scheduler is wlc." "\n";
	s += "  --pe            engine              alternate persistence engine may be sip," "\n";
	s += "                                      not set by default." "\n";
	s += "  --persistent   -p [timeout]         persistent service" "\n";
	s += "  --netmask      -M netmask           persistent granularity mask" "\n";
	s += "  --real-server  -r server-address    server-address is host (and port)" "\n";
	s += "  --gatewaying   -g                   gatewaying (direct routing) (default)" "\n";
	s += "  --ipip         -i                   ipip encapsulation (tunneling)" "\n";
	s += "  --masquerading -m                   masquerading (NAT)" "\n";
	s += "  --tun-type      type                one of ipip|gue|gre," "\n";
	s += "                                      the default tunnel type is ipip." "\n";
	s += "  --tun-port      port                tunnel destination port" "\n";
	s += "  --tun-nocsum                        tunnel encapsulation without checksum" "\n";
	s += "  --tun-csum                          tunnel encapsulation with checksum" "\n";
	s += "  --tun-remcsum                       tunnel encapsulation with remote checksum" "\n";
	s += "  --weight       -w weight            capacity of real server" "\n";
	s += "  --u-threshold  -x uthreshold        upper threshold of connections" "\n";
	s += "  --l-threshold  -y lthreshold        lower threshold of connections" "\n";
	s += "  --connection   -c                   output of current IPVS connections" "\n";
	s += "  --timeout                           output of timeout (tcp tcpfin udp)" "\n";
	s += "  --daemon                            output of daemon information" "\n";
	s += "  --stats                             output of statistics information" "\n";
	s += "  --rate                              output of rate information" "\n";
	s += "  --exact                             expand numbers (display exact values)" "\n";
	s += "  --thresholds                        output of thresholds information" "\n";
	s += "  --persistent-conn                   output of persistent connection info" "\n";
	s += "  --tun-info                          output of tunnel information" "\n";
	s += "  --nosort                            disable sorting output of service/server entries" "\n";
	s += "  --sort                              does nothing, for backwards compatibility" "\n";
	s += "  --ops          -o                   one-packet scheduling" "\n";
	s += "  --numeric      -n                   numeric output of addresses and ports" "\n";
	s += "  --sched-flags  -b flags             scheduler flags (comma-separated)" "\n";
	s += "Daemon Options:" "\n";
	s += "  --syncid sid                        syncid for connection sync (default=255)" "\n";
	s += "  --sync-maxlen length                Max sync message length (default=1472)" "\n";
	s += "  --mcast-interface interface         multicast interface for connection sync" "\n";
	s += "  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)" "\n";
	s += "  --mcast-port port                   UDP port (default=8848)" "\n";
	s += "  --mcast-ttl ttl                     Multicast TTL (default=1)" "\n";
	return s;
}

} // namespace xvsadm
