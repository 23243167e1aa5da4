//! The network's random numbers: one seeded stream, so the same seed gives the same run.
//!
//! The generator is SplitMix64 (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number
//! Generators", OOPSLA 2014; the one Java's `SplittableRandom` uses and Vigna recommends for
//! seeding xoshiro): a counter that steps by the golden ratio, each step mixed by two
//! xor-shift-multiplies. It passes BigCrush, needs a few lines and one word of state, and is
//! plenty for drawing losses, jitter and ephemeral ports.

/// A stream of random numbers drawn from a seed.
#[derive(Debug, Clone)]
pub struct Random {
    state: u64,
}

impl Random {
    pub fn new(seed: u64) -> Self {
        Random { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The high half of the next 64 bits (SplitMix64's better half).
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_splitmix64s_reference_values() {
        // The published first outputs of SplitMix64 for seed 1234567.
        let mut random = Random::new(1234567);
        assert_eq!(random.next_u64(), 6457827717110365317);
        assert_eq!(random.next_u64(), 3203168211198807973);
    }
}
