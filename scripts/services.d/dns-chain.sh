# A real DNS resolution chain for notebook 10: three Knot DNS servers (root, TLD `test`, zones `example.test` and
# `other.test`) on 127.x.y.1-3 port 53 and Unbound as the recursive resolver on SDN_DNS_RESOLVER (default
# 127.0.0.1:45353). The notebook's library (src/Shared/Edge/DnsChainLab.cs) starts them per experiment with
# generated zones and stops them at the end of the cell, so there is nothing long-running here: `start` only
# checks that the binaries are installed. Port 53 is needed because referrals carry no port: Knot binds it as
# root and then runs as the sdn account (Unbound likewise drops to sdn).
SERVICE_PACKAGES="knot unbound"
SERVICE_REQUIRES=""
DNS_RESOLVER_PORT="$(port_var SDN_DNS_RESOLVER_PORT 45353 "$(port_of_endpoint "${SDN_DNS_RESOLVER:-}")")"

service_members() { :; }
service_pid() { :; }
service_up() { return 0; }
service_check() { need knotd knotc unbound; }
service_start() { need knotd knotc unbound; say "ready: the notebook starts the chain per experiment (resolver port $DNS_RESOLVER_PORT)"; }
service_stop() { :; }
service_env() { printf 'export SDN_DNS_RESOLVER=%q\n' "${SDN_DNS_RESOLVER:-127.0.0.1:$DNS_RESOLVER_PORT}"; }
