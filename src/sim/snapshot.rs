//! Plain pictures of the network at one instant, for the page and for `--trace` output.
//!
//! The page never reaches into smoltcp: it draws a [`Snapshot`] — hosts with their sockets and
//! blocked calls, links with their impairments, packets in flight with how far along they are.

use std::net::Ipv4Addr;

use serde::Serialize;

use super::host::HostId;
use super::link::{Impairments, LinkId};
use super::network::{CallId, Network};
use super::socket_table::{Fd, SocketView};
use super::trace::{PacketId, PacketKind};

#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Virtual time, in microseconds.
    pub now_us: i64,
    pub hosts: Vec<HostSnapshot>,
    pub links: Vec<LinkSnapshot>,
    pub in_flight: Vec<PacketInFlight>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostSnapshot {
    pub id: HostId,
    pub name: String,
    pub address: Ipv4Addr,
    pub sockets: Vec<SocketView>,
    pub blocked: Vec<BlockedCall>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BlockedCall {
    pub call: CallId,
    pub fd: Fd,
    pub waits_for: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkSnapshot {
    pub id: LinkId,
    pub ends: [HostId; 2],
    pub loopback: bool,
    /// What the link does to packets sent by `ends[0]`, and by `ends[1]`.
    pub impairments: [Impairments; 2],
}

#[derive(Debug, Clone, Serialize)]
pub struct PacketInFlight {
    pub id: PacketId,
    pub link: LinkId,
    pub from: HostId,
    pub to: HostId,
    pub kind: PacketKind,
    /// From 0 (just sent) to 1 (arriving).
    pub progress: f64,
}

impl Network {
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now();
        let mut hosts = Vec::new();
        for (id, host) in self.hosts().iter().enumerate() {
            let mut blocked = Vec::new();
            for call in self.pending() {
                if call.host == id {
                    blocked.push(BlockedCall { call: call.id, fd: call.fd, waits_for: call.blocking.waits_for() });
                }
            }
            let sockets = host.table.views(&host.sockets);
            hosts.push(HostSnapshot { id, name: host.name().into(), address: host.address(), sockets, blocked });
        }
        let mut links = Vec::new();
        let mut in_flight = Vec::new();
        for (id, link) in self.links().iter().enumerate() {
            let [a, b] = link.ends();
            links.push(LinkSnapshot {
                id,
                ends: [a, b],
                loopback: link.is_loopback(),
                impairments: [link.impairments(a), link.impairments(b)],
            });
            for packet in link.in_flight() {
                in_flight.push(PacketInFlight {
                    id: packet.packet,
                    link: id,
                    from: packet.from,
                    to: packet.to,
                    kind: self.trace().get(packet.packet).map_or(PacketKind::Other, |record| record.summary.kind),
                    progress: packet.progress(now),
                });
            }
        }
        super::order::sort(&mut in_flight, |packet| (packet.id, 0));
        Snapshot { now_us: now.total_micros(), hosts, links, in_flight }
    }
}
