//! The order of things: sorting by integer keys, with one copy of the sort code for the whole page.
//!
//! Each `sort_by_key` (or `sort_unstable`) of another kind of item brings its own copy of the
//! standard library's sort, about 3 KB of wasm each. [`sort`] sorts every kind the same way: the
//! keys, two `u64`s with each item's index (which keeps items with equal keys in order), are
//! sorted by the one instance of `sort_unstable`, and the items are put in that order.
//! [`signed`] and [`text`] make keys of numbers and short labels that sort as they do.

/// Sorts `items` by `key`; items with equal keys keep their order (a stable sort).
pub fn sort<T>(items: &mut [T], key: impl Fn(&T) -> (u64, u64)) {
    let mut keys = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let (first, second) = key(item);
        keys.push((first, second, index));
    }
    let mut order = sorted_order(keys);
    // `order[place]` is where the item for `place` is now: swap it in, and follow the cycle of
    // moves that starts, marking each place done.
    for place in 0..order.len() {
        let mut current = place;
        while order[current] != place {
            let next = order[current];
            items.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

/// The one sort: the indices of the keys in their sorted order.
#[inline(never)]
fn sorted_order(mut keys: Vec<(u64, u64, usize)>) -> Vec<usize> {
    keys.sort_unstable();
    keys.into_iter().map(|(_, _, index)| index).collect()
}

/// A key that sorts as `value` does among `i64`s.
pub fn signed(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

/// A key that sorts as `label` does among strings, for labels of at most 8 bytes (none is 0).
pub fn text(label: &str) -> u64 {
    debug_assert!(label.len() <= 8 && !label.contains('\0'), "{label:?} is too long for a key");
    let mut bytes = [0; 8];
    bytes[..label.len()].copy_from_slice(label.as_bytes());
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_library_does() {
        let mut pairs: Vec<(i64, i64)> = vec![(3, 1), (-5, 2), (3, 0), (i64::MIN, 9), (i64::MAX, -1), (0, 0), (-5, 1)];
        let mut expected = pairs.clone();
        expected.sort();
        sort(&mut pairs, |&(a, b)| (signed(a), signed(b)));
        assert_eq!(pairs, expected);
    }

    #[test]
    fn is_stable() {
        let mut items = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        sort(&mut items, |&(key, _)| (key, 0));
        assert_eq!(items, [(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }

    #[test]
    fn labels_sort_as_strings() {
        let mut labels = ["SYN-ACK", "SYN", "ACK", "DATA", "FIN", "RST", "UDP", "ICMP", "IP", "", "A"];
        let mut keys: Vec<u64> = labels.iter().map(|label| text(label)).collect();
        labels.sort();
        keys.sort();
        assert_eq!(keys, labels.iter().map(|label| text(label)).collect::<Vec<_>>());
    }
}
