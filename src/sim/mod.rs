//! The engine: a deterministic network of smoltcp hosts with a Berkeley socket API.
//!
//! Plain Rust with no web types, so `cargo test` runs it natively. The page and the headless
//! runner drive it the same way: make [`Call`]s on hosts, [`Network::step`] the virtual clock,
//! read [`Completion`]s, the [`Trace`] and [`Snapshot`]s.

mod dissect;
mod error;
mod host;
mod link;
mod network;
pub mod order;
pub mod pcap;
mod random;
mod snapshot;
mod socket_api;
mod socket_table;
mod sorted_map;
mod trace;

pub use dissect::{dissect, hex_rows, Field, HexRow, Layer, HEX_ROW_LEN};
pub use error::SocketError;
pub use host::{parse_address, Host, HostId, LOOPBACK, MTU};
pub use link::{Impairments, InFlight, Link, LinkId};
pub use network::{CallId, CallStatus, Completion, DropRule, Network, PendingCall, TopologyError, LOOPBACK_DELAY};
pub use snapshot::{BlockedCall, HostSnapshot, LinkSnapshot, PacketInFlight, Snapshot};
pub use socket_api::{
    Blocking, Call, CallResult, ShutdownHow, SocketOption, Value, MAX_BACKLOG, MAX_DATAGRAM, TCP_BUFFER,
};
pub use socket_table::{tcp_state_name, Fd, SocketKind, SocketView, EPHEMERAL_PORTS, FIRST_FD, SOCKET_STATES};
pub use sorted_map::SortedMap;
pub use trace::{Fate, PacketBytes, PacketId, PacketKind, PacketRecord, PacketSummary, TcpFlags, Trace, Transport};

pub use smoltcp::time::{Duration, Instant};
pub use smoltcp::wire::Ipv4Address;
