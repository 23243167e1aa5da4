//! The network as a program sees it: a host's socket calls, its clock, its names.
//!
//! [`Sockets`] is all a [`Process`](super::Process) needs from the engine, so that the page, the
//! lesson player and the tests can each run programs on a [`Network`] their own way.
//! [`HostSockets`] is the plain one: a network and the host the program runs on.

use crate::sim::{Call, CallStatus, Fd, HostId, Instant, Ipv4Address, Network, SocketView};

pub trait Sockets {
    /// Makes a socket call on the program's host.
    fn call(&mut self, call: Call) -> CallStatus;
    /// The network's virtual time.
    fn now(&self) -> Instant;
    /// The address a host name stands for (`gethostbyname`).
    fn resolve(&self, name: &str) -> Option<Ipv4Address>;
    /// The host's name (`gethostname`).
    fn host_name(&self) -> String;
    /// What a descriptor is now: its local and remote addresses (`getsockname`, `getpeername`).
    fn socket_view(&self, fd: Fd) -> Option<SocketView>;
}

/// A network and one of its hosts.
pub struct HostSockets<'a> {
    pub network: &'a mut Network,
    pub host: HostId,
}

impl Sockets for HostSockets<'_> {
    fn call(&mut self, call: Call) -> CallStatus {
        self.network.call(self.host, call)
    }

    fn now(&self) -> Instant {
        self.network.now()
    }

    fn resolve(&self, name: &str) -> Option<Ipv4Address> {
        self.network.resolve(name)
    }

    fn host_name(&self) -> String {
        self.network.host(self.host).map(|host| host.name().to_string()).unwrap_or_default()
    }

    fn socket_view(&self, fd: Fd) -> Option<SocketView> {
        self.network.socket_view(self.host, fd)
    }
}
