//! Floating-point numbers as decimal text, and decimal text as numbers, without core's tables.
//!
//! Core's float formatting (Grisu with a Dragon fallback) and parsing (Eisel-Lemire) carry tables
//! of powers of ten and five, 12 KB that do not compress, for speed the page does not need: it
//! prints a float when a program or a label asks, not millions a second. So the digits come from
//! the number's exact decimal expansion, worked out with a small big integer ([`Exact`]), and
//! rounded half to even as CPython and core round; the shortest digits that read back as the same
//! number are found by trying 1 to 17 of them. Reading decimal text is [`parse`]: the browser's
//! `parseFloat` in the page, core's reader elsewhere; both give the nearest `f64`.
//!
//! [`Rounded`] is the quick way for drawings: SVG coordinates rounded to a few decimals by
//! floating-point arithmetic, which is exact enough for pixels and costs no big integers.

use std::fmt;

/// A decimal number's nearest `f64`, for text already checked to be one (`"1.5"`, `"-2e-3"`).
pub fn parse(text: &str) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Number::parse_float(text);
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse().unwrap_or(f64::NAN);
}

/// A finite number's exact value in decimal: `digits` × 10^`exponent`, with `digits` an integer
/// written without leading zeros (`"0"` for zero). The sign is left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Exact {
    digits: Vec<u8>,
    exponent: i32,
}

impl Exact {
    /// The exact decimal value of `|f|`, for a finite `f`.
    pub fn of(f: f64) -> Exact {
        let bits = f.abs().to_bits();
        let biased = (bits >> 52) as i32;
        let fraction = bits & ((1 << 52) - 1);
        let (mantissa, power_of_two) =
            if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
        // Base 10^9 limbs, least significant first.
        let mut limbs =
            vec![(mantissa % BASE) as u32, (mantissa / BASE % BASE) as u32, (mantissa / BASE / BASE) as u32];
        let (factor, chunk, mut count) =
            if power_of_two >= 0 { (2u64, 29, power_of_two) } else { (5u64, 13, -power_of_two) };
        while count > 0 {
            let step = count.min(chunk);
            multiply(&mut limbs, factor.pow(step as u32));
            count -= step;
        }
        while limbs.len() > 1 && limbs.last() == Some(&0) {
            limbs.pop();
        }
        let mut digits = Vec::with_capacity(limbs.len() * 9);
        for (index, limb) in limbs.iter().rev().enumerate() {
            let text = limb.to_string();
            if index > 0 {
                digits.extend(std::iter::repeat_n(b'0', 9 - text.len()));
            }
            digits.extend_from_slice(text.as_bytes());
        }
        let mut exponent = if digits == b"0" { 0 } else { power_of_two.min(0) };
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
            exponent += 1;
        }
        Exact { digits, exponent }
    }

    /// The power of ten of the leading digit: 2 for 123.4, -2 for 0.0123.
    fn magnitude(&self) -> i32 {
        self.digits.len() as i32 - 1 + self.exponent
    }

    /// Rounded to `count` significant digits, half to even: the digits (exactly `count` of them,
    /// zeros added) and the power of ten of the first. `count` may be zero or negative (for a fixed
    /// number of decimals smaller than the number): the result is then 0 or one unit.
    fn round(&self, count: i32) -> (Vec<u8>, i32) {
        let mut magnitude = self.magnitude();
        if self.digits == b"0" {
            return (vec![b'0'; count.max(0) as usize], 0);
        }
        if count < 0 {
            return (Vec::new(), magnitude);
        }
        let count = count as usize;
        let mut kept = self.digits[..count.min(self.digits.len())].to_vec();
        let rest = self.digits.get(count..).unwrap_or_default();
        let up = match rest.split_first() {
            Some((&first, _)) if first > b'5' => true,
            Some((b'5', tail)) => tail.iter().any(|&d| d != b'0') || kept.last().is_some_and(|d| d % 2 == 1),
            _ => false,
        };
        kept.resize(count, b'0');
        if up {
            let mut at = count;
            loop {
                if at == 0 {
                    // 99.9 → 100: one more digit in front, the last one dropped.
                    kept.insert(0, b'1');
                    kept.truncate(count.max(1));
                    magnitude += 1;
                    break;
                }
                at -= 1;
                if kept[at] == b'9' {
                    kept[at] = b'0';
                } else {
                    kept[at] += 1;
                    break;
                }
            }
        }
        (kept, magnitude)
    }
}

const BASE: u64 = 1_000_000_000;

/// Decimal digits (ASCII) as a string.
fn text(digits: Vec<u8>) -> String {
    String::from_utf8(digits).unwrap_or_default()
}

/// `limbs` × `factor` (at most 2^31), in place.
fn multiply(limbs: &mut Vec<u32>, factor: u64) {
    let mut carry = 0;
    for limb in limbs.iter_mut() {
        let product = u64::from(*limb) * factor + carry;
        *limb = (product % BASE) as u32;
        carry = product / BASE;
    }
    while carry > 0 {
        limbs.push((carry % BASE) as u32);
        carry /= BASE;
    }
}

/// `|f|` with `decimals` digits after the point, as `{:.N}` prints it: `fixed(2.675, 2)` is
/// `"2.67"`, as 2.675 is a little less than that. For a finite `f`.
pub fn fixed(f: f64, decimals: usize) -> String {
    let exact = Exact::of(f);
    let (digits, magnitude) = exact.round(exact.magnitude() + 1 + decimals as i32);
    // The rounded value × 10^decimals, an integer: the digits, then zeros for a carry (99.96 → 100.0).
    let zeros = magnitude + 1 - digits.len() as i32 + decimals as i32;
    let mut scaled = text(digits);
    scaled.extend(std::iter::repeat_n('0', zeros.max(0) as usize));
    if scaled.len() <= decimals {
        scaled.insert_str(0, &"0".repeat(decimals + 1 - scaled.len()));
    }
    if decimals > 0 {
        scaled.insert(scaled.len() - decimals, '.');
    }
    scaled
}

/// `|f|` with `count` significant digits (at least one), half to even: the digits and the power
/// of ten of the first, as `{:.Ne}` has them (`scientific(12345.678, 3)` is `("123", 4)`).
pub fn scientific(f: f64, count: usize) -> (String, i32) {
    let (digits, magnitude) = Exact::of(f).round(count.max(1) as i32);
    (text(digits), magnitude)
}

/// The fewest significant digits of `|f|` that read back as `|f|`, and the power of ten of the
/// first: `shortest(1.5e-7)` is `("15", -7)`, `shortest(0.1)` is `("1", -1)`. For a finite `f`.
pub fn shortest(f: f64) -> (String, i32) {
    let exact = Exact::of(f);
    let mut count = 1;
    let (digits, magnitude) = loop {
        let (digits, magnitude) = exact.round(count);
        let digits = text(digits);
        let exponent = magnitude + 1 - digits.len() as i32;
        if count == 17 || parse(&format!("{digits}e{exponent}")) == f.abs() {
            break (digits, magnitude);
        }
        count += 1;
    };
    let mut text = digits;
    while text.len() > 1 && text.ends_with('0') {
        text.pop();
    }
    (text, magnitude)
}

/// `f` as `{}` prints it: its shortest digits, never an exponent (`0.1`, `100`, `-2.5`, `0.0000001`).
pub fn plain(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "inf"
        } else {
            "-inf"
        }
        .into();
    }
    let (digits, magnitude) = shortest(f);
    let mut out = String::from(if f.is_sign_negative() { "-" } else { "" });
    if magnitude < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-magnitude - 1) as usize));
        out.push_str(&digits);
    } else if digits.len() > magnitude as usize + 1 {
        out.push_str(&digits[..magnitude as usize + 1]);
        out.push('.');
        out.push_str(&digits[magnitude as usize + 1..]);
    } else {
        out.push_str(&digits);
        out.push_str(&"0".repeat(magnitude as usize + 1 - digits.len()));
    }
    out
}

/// A number rounded to a few decimals by floating-point arithmetic, for drawings: `Rounded(12.3456,
/// 1)` displays as `12.3`. Exact enough for pixels; a number beyond ±10^15 shows as 0.
#[derive(Clone, Copy)]
pub struct Rounded(pub f64, pub u32);

impl fmt::Display for Rounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Rounded(value, decimals) = *self;
        let scale = 10i64.pow(decimals);
        let scaled = value * scale as f64;
        let scaled = if scaled.is_finite() && scaled.abs() < 1e15 { scaled.round() as i64 } else { 0 };
        let sign = if scaled < 0 { "-" } else { "" };
        let magnitude = scaled.unsigned_abs();
        let scale = scale as u64;
        if decimals == 0 {
            write!(f, "{sign}{magnitude}")
        } else {
            write!(f, "{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = decimals as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values() {
        assert_eq!(Exact::of(0.5), Exact { digits: b"5".to_vec(), exponent: -1 });
        assert_eq!(Exact::of(3.0), Exact { digits: b"3".to_vec(), exponent: 0 });
        assert_eq!(Exact::of(0.0), Exact { digits: b"0".to_vec(), exponent: 0 });
        let tenth = Exact::of(0.1);
        assert_eq!(String::from_utf8(tenth.digits).unwrap(), "1000000000000000055511151231257827021181583404541015625");
        assert_eq!(Exact::of(1e22), Exact { digits: b"1".to_vec(), exponent: 22 });
        assert_eq!(tenth.exponent, -55);
    }

    #[test]
    fn fixed_as_core_prints() {
        for value in [0.0, 2.675, 0.125, 0.375, 1.5, 2.5, 0.05, 0.005, 999.9999, 1e-9, 123456.789, 1e22, 5e-324, 0.95] {
            for decimals in 0..8 {
                assert_eq!(fixed(value, decimals), format!("{value:.decimals$}"), "{value} with {decimals}");
            }
        }
    }

    #[test]
    fn scientific_as_core_prints() {
        for value in [1.0, 12345.678, 0.000123, 9.995, 1e300, 5e-324, 2.5, 0.0] {
            for count in 1..10 {
                let (digits, exponent) = scientific(value, count);
                let core = format!("{value:.*e}", count - 1);
                let (mantissa, power) = core.split_once('e').unwrap();
                assert_eq!(digits, mantissa.replace('.', ""), "{value} to {count}");
                assert_eq!(exponent, power.parse::<i32>().unwrap(), "{value} to {count}");
            }
        }
    }

    #[test]
    fn shortest_as_core_prints() {
        for value in [0.1, 1.5e-7, 1e16, 123456789012345678.0, 5e-324, 1.7976931348623157e308, 0.3, 2.0 / 3.0, 100.0] {
            let core = format!("{value:e}");
            let (mantissa, power) = core.split_once('e').unwrap();
            assert_eq!(shortest(value), (mantissa.replace('.', ""), power.parse().unwrap()), "{value}");
        }
    }

    /// Random bit patterns (a fixed xorshift sequence, so a failure replays) print as core prints them.
    #[test]
    fn random_floats_as_core_prints() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..3000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f64::from_bits(state);
            if !value.is_finite() {
                continue;
            }
            let core = format!("{:e}", value.abs());
            let (mantissa, power) = core.split_once('e').unwrap();
            assert_eq!(shortest(value), (mantissa.replace('.', ""), power.parse().unwrap()), "{value:e}");
            let count = (state % 20) as usize + 1;
            let core = format!("{:.*e}", count - 1, value.abs());
            let (mantissa, power) = core.split_once('e').unwrap();
            assert_eq!(scientific(value, count), (mantissa.replace('.', ""), power.parse().unwrap()), "{value:e}");
            let small = value.abs() % 1e6;
            let decimals = (state % 12) as usize;
            assert_eq!(fixed(small, decimals), format!("{small:.decimals$}"), "{small:e} with {decimals}");
        }
    }

    #[test]
    fn plain_as_core_prints() {
        for value in [0.0, -0.0, 0.1, 100.0, -2.5, 1e-7, 1e21, 123.456, 5e-324, f64::NAN, f64::INFINITY, -f64::INFINITY]
        {
            assert_eq!(plain(value), value.to_string());
        }
    }

    #[test]
    fn rounded_for_drawings() {
        assert_eq!(Rounded(12.3456, 1).to_string(), "12.3");
        assert_eq!(Rounded(-0.04, 1).to_string(), "0.0");
        assert_eq!(Rounded(-2.25, 2).to_string(), "-2.25");
        assert_eq!(Rounded(7.6, 0).to_string(), "8");
        assert_eq!(Rounded(0.5, 2).to_string(), "0.50");
    }
}
