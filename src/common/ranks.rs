//! Mid-ranks with tie information: the shared base of the rank tests.

/// Ranks (1-based, ties get the mean rank) of `x` (no NaN), plus the tie
/// group sizes (only groups of size > 1).
pub fn midranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; n];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[order[j]] == x[order[i]] {
            j += 1;
        }
        // positions i..j (0-based) share the mean of ranks i+1..=j
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = r;
        }
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (ranks, ties)
}

/// `sum(t^3 - t)` over tie groups: the usual tie correction term.
pub fn tie_term(ties: &[usize]) -> f64 {
    ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mid_ranks_and_ties() {
        let (r, t) = midranks(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        assert_eq!(r, vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(t, vec![3]);
        assert_eq!(tie_term(&t), 24.0);
        let (r, t) = midranks(&[]);
        assert!(r.is_empty() && t.is_empty());
    }
}
