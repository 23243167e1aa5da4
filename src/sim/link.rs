//! Links and the packets in flight on them.
//!
//! A [`Link`] joins two hosts (or a host to itself: its loopback) and has, per direction, the
//! [`Impairments`] a teacher sets: delay, jitter, loss, duplication and bandwidth. It decides each
//! packet's fate when the packet is sent, and holds the packet until its arrival (or its death, for
//! a lost packet, halfway along the wire) comes due.

use serde::{Deserialize, Serialize};
use smoltcp::time::{Duration, Instant};

use super::host::HostId;
use super::random::Random;
use super::sorted_map::SortedMap;
use super::trace::{PacketBytes, PacketId};

/// Index of a link in its network.
pub type LinkId = usize;

/// What one direction of a link does to the packets crossing it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Impairments {
    /// One-way propagation delay, in microseconds.
    pub delay_us: u64,
    /// Extra delay drawn uniformly from `0..=jitter_us` per packet; enough of it reorders packets.
    pub jitter_us: u64,
    /// Chance, in percent, that a packet is lost on the way.
    pub loss_percent: f64,
    /// Chance, in percent, that a packet arrives twice.
    pub duplicate_percent: f64,
    /// Bits per second the sender can put on the wire; 0 means no limit (no serialization delay).
    pub bandwidth_bps: u64,
}

/// The longest delay, and jitter, a link may have: a minute (a satellite hop is a quarter second).
pub const MAX_DELAY_US: u64 = 60_000_000;
/// The fastest bandwidth a link may have, in bits per second (0 stays "no limit").
pub const MAX_BANDWIDTH_BPS: u64 = 10_000_000_000;

impl Impairments {
    /// The same impairments within what a link can do: delays and jitter up to a minute,
    /// percentages from 0 to 100 (NaN is 0), bandwidth up to 10 Gbit/s. Whatever a caller asks for,
    /// the link's arithmetic stays in range.
    pub fn clamped(self) -> Self {
        let percent = |value: f64| if value.is_nan() { 0.0 } else { value.clamp(0.0, 100.0) };
        Impairments {
            delay_us: self.delay_us.min(MAX_DELAY_US),
            jitter_us: self.jitter_us.min(MAX_DELAY_US),
            loss_percent: percent(self.loss_percent),
            duplicate_percent: percent(self.duplicate_percent),
            bandwidth_bps: self.bandwidth_bps.min(MAX_BANDWIDTH_BPS),
        }
    }

    /// A clean wire with the given one-way delay.
    pub const fn with_delay(delay: Duration) -> Self {
        Impairments {
            delay_us: delay.total_micros(),
            jitter_us: 0,
            loss_percent: 0.0,
            duplicate_percent: 0.0,
            bandwidth_bps: 0,
        }
    }
}

impl Default for Impairments {
    /// 10 ms one way, nothing lost: a campus network.
    fn default() -> Self {
        Impairments::with_delay(Duration::from_millis(10))
    }
}

/// How a packet's trip along a link ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It reaches the far end.
    Arrives,
    /// The wire loses it, halfway along.
    Lost,
    /// A person (or a lesson's drop rule) takes it off the wire.
    DroppedByHand,
}

/// A packet on a link, between its departure and its arrival (or death).
#[derive(Debug, Clone)]
pub struct InFlight {
    pub packet: PacketId,
    pub from: HostId,
    pub to: HostId,
    pub sent_at: Instant,
    /// When the packet reaches the far end (for a lost one, where it would have).
    pub arrives_at: Instant,
    /// When the packet's trip ends: its arrival, or its death on the wire.
    pub ends_at: Instant,
    pub ending: Ending,
    pub bytes: PacketBytes,
}

impl InFlight {
    /// How far along the link the packet is at `now`, from 0 (just sent) to 1 (arrived).
    pub fn progress(&self, now: Instant) -> f64 {
        let total = (self.arrives_at - self.sent_at).total_micros();
        if total == 0 {
            return 1.0;
        }
        let done = now.total_micros().saturating_sub(self.sent_at.total_micros());
        (done as f64 / total as f64).clamp(0.0, 1.0)
    }
}

/// The departure and arrival a link assigns to one packet, and what happens to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transit {
    pub arrives_at: Instant,
    pub lost: bool,
    /// The arrival time of a second copy, when the link duplicates the packet.
    pub duplicate_arrives_at: Option<Instant>,
}

#[derive(Debug, Clone)]
struct Direction {
    impairments: Impairments,
    /// When the sender's wire is free again (bandwidth queueing).
    busy_until: Instant,
}

/// A wire between two hosts (`ends[0] == ends[1]` for a loopback).
#[derive(Debug, Clone)]
pub struct Link {
    ends: [HostId; 2],
    directions: [Direction; 2],
    /// Boxed, so that taking one off the wire moves pointers, not packets, in the sorted list.
    in_flight: SortedMap<PacketId, Box<InFlight>>,
    /// Trip endings, latest first so the next one is last; entries whose packet was dropped by
    /// hand are skipped. A sorted list rather than a heap: smaller in the page, and as quick for the
    /// packets a link holds.
    endings: Vec<(Instant, PacketId)>,
}

impl Link {
    pub fn new(a: HostId, b: HostId, impairments: Impairments) -> Self {
        let direction = Direction { impairments: impairments.clamped(), busy_until: Instant::ZERO };
        Link {
            ends: [a, b],
            directions: [direction.clone(), direction],
            in_flight: SortedMap::new(),
            endings: Vec::new(),
        }
    }

    pub fn ends(&self) -> [HostId; 2] {
        self.ends
    }

    pub fn is_loopback(&self) -> bool {
        self.ends[0] == self.ends[1]
    }

    fn direction_index(&self, from: HostId) -> usize {
        usize::from(self.ends[0] != from)
    }

    /// The impairments of packets sent by `from`.
    pub fn impairments(&self, from: HostId) -> Impairments {
        self.directions[self.direction_index(from)].impairments
    }

    pub fn set_impairments(&mut self, from: HostId, impairments: Impairments) {
        let index = self.direction_index(from);
        self.directions[index].impairments = impairments.clamped();
    }

    /// Decides when a packet of `len` bytes sent by `from` at `now` arrives, and whether it is lost
    /// or duplicated on the way.
    pub fn schedule(&mut self, from: HostId, now: Instant, len: usize, rng: &mut Random) -> Transit {
        let index = self.direction_index(from);
        let direction = &mut self.directions[index];
        let impairments = direction.impairments;

        let departs = now.max(direction.busy_until);
        let serialization = match impairments.bandwidth_bps {
            0 => 0,
            bps => (len as u64 * 8 * 1_000_000).div_ceil(bps),
        };
        direction.busy_until = departs + Duration::from_micros(serialization);
        let on_wire = direction.busy_until + Duration::from_micros(impairments.delay_us);

        let lost = chance(rng, impairments.loss_percent);
        let arrives_at = on_wire + jitter(rng, impairments.jitter_us);
        let duplicate_arrives_at =
            (!lost && chance(rng, impairments.duplicate_percent)).then(|| on_wire + jitter(rng, impairments.jitter_us));
        Transit { arrives_at, lost, duplicate_arrives_at }
    }

    /// Puts a packet on the wire.
    pub fn launch(&mut self, packet: InFlight) {
        let ending = (packet.ends_at, packet.packet);
        let index = self.endings.partition_point(|&later| later > ending);
        self.endings.insert(index, ending);
        self.in_flight.insert(packet.packet, Box::new(packet));
    }

    /// When the next trip on this link ends.
    pub fn next_ending(&mut self) -> Option<Instant> {
        while let Some(&(at, id)) = self.endings.last() {
            if self.in_flight.contains_key(&id) {
                return Some(at);
            }
            self.endings.pop();
        }
        None
    }

    /// Takes off the wire the next packet whose trip ends at or before `now`.
    pub fn pop_ended(&mut self, now: Instant) -> Option<InFlight> {
        while let Some(&(at, id)) = self.endings.last() {
            if at > now {
                return None;
            }
            self.endings.pop();
            if let Some(packet) = self.in_flight.remove(&id) {
                return Some(*packet);
            }
        }
        None
    }

    /// Takes a packet off the wire by hand; `None` when it is not on this link.
    pub fn remove(&mut self, id: PacketId) -> Option<InFlight> {
        self.in_flight.remove(&id).map(|packet| *packet)
    }

    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight> {
        self.in_flight.values().map(|packet| &**packet)
    }

    /// A packet on this link, if it is still on the wire.
    pub fn on_the_wire(&self, id: PacketId) -> Option<&InFlight> {
        self.in_flight.get(&id).map(|packet| &**packet)
    }
}

/// True with probability `percent` / 100.
fn chance(rng: &mut Random, percent: f64) -> bool {
    if percent <= 0.0 {
        return false;
    }
    let draw = rng.next_u32() as f64 / (u32::MAX as f64 + 1.0);
    draw * 100.0 < percent
}

/// A delay drawn uniformly from `0..=max_us`.
fn jitter(rng: &mut Random, max_us: u64) -> Duration {
    if max_us == 0 {
        return Duration::ZERO;
    }
    Duration::from_micros(rng.next_u64() % (max_us + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_queues_packets_behind_each_other() {
        let mut link = Link::new(
            0,
            1,
            Impairments {
                bandwidth_bps: 8_000, // one byte per millisecond
                ..Impairments::with_delay(Duration::from_millis(5))
            },
        );
        let mut rng = Random::new(1);
        let first = link.schedule(0, Instant::ZERO, 10, &mut rng);
        let second = link.schedule(0, Instant::ZERO, 10, &mut rng);
        assert_eq!(first.arrives_at, Instant::from_millis(15));
        assert_eq!(second.arrives_at, Instant::from_millis(25));
        // The other direction has a wire of its own.
        let reply = link.schedule(1, Instant::ZERO, 10, &mut rng);
        assert_eq!(reply.arrives_at, Instant::from_millis(15));
    }

    #[test]
    fn absurd_impairments_are_clamped_not_obeyed() {
        let mut link = Link::new(
            0,
            1,
            Impairments {
                delay_us: u64::MAX,
                jitter_us: u64::MAX,
                loss_percent: f64::NAN,
                duplicate_percent: 1e9,
                bandwidth_bps: 1,
            },
        );
        let mut rng = Random::new(3);
        let transit = link.schedule(0, Instant::ZERO, 1500, &mut rng);
        assert!(!transit.lost);
        assert!(transit.duplicate_arrives_at.is_some());
        let impairments = link.impairments(0);
        assert_eq!((impairments.delay_us, impairments.jitter_us), (MAX_DELAY_US, MAX_DELAY_US));
    }

    #[test]
    fn loss_rate_is_close_to_the_setting() {
        let mut link = Link::new(0, 1, Impairments { loss_percent: 30.0, ..Impairments::default() });
        let mut rng = Random::new(7);
        let lost = (0..10_000).filter(|_| link.schedule(0, Instant::ZERO, 40, &mut rng).lost).count();
        assert!((2_800..3_200).contains(&lost), "lost {lost} of 10000");
    }
}
