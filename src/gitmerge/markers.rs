//! Git-style conflict markers between two renderings of the same document.
//!
//! The two texts differ only where the merge found conflicts, so a plain LCS
//! line diff gives exactly those regions; above a size cap the whole document
//! becomes one region (still correct, just coarser), keeping the cost bounded.

/// Largest `lines(a) * lines(b)` table the diff builds.
const MAX_CELLS: usize = 4_000_000;

/// `ours` and `theirs` with every differing region wrapped in
/// `<<<<<<< ours` / `=======` / `>>>>>>> theirs` lines.
pub fn with_markers(ours: &str, theirs: &str, label: &str) -> String {
    let a: Vec<&str> = ours.split_inclusive('\n').collect();
    let b: Vec<&str> = theirs.split_inclusive('\n').collect();
    let mut out = String::with_capacity(ours.len() + theirs.len() + 64);
    let open = format!("<<<<<<< ours ({label})\n");
    let close = format!(">>>>>>> theirs ({label})\n");
    let region = |out: &mut String, x: &[&str], y: &[&str]| {
        if x.is_empty() && y.is_empty() {
            return;
        }
        out.push_str(&open);
        push_lines(out, x);
        out.push_str("=======\n");
        push_lines(out, y);
        out.push_str(&close);
    };
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        region(&mut out, &a, &b);
        return out;
    }
    let n = a.len();
    let m = b.len();
    // lcs[i][j] = LCS length of a[i..] and b[j..], flattened.
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a.get(i) == b.get(j) {
                lcs.get((i + 1) * w + j + 1).copied().unwrap_or(0) + 1
            } else {
                let down = lcs.get((i + 1) * w + j).copied().unwrap_or(0);
                let right = lcs.get(i * w + j + 1).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i * w + j) {
                *cell = v;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut si, mut sj) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a.get(i) == b.get(j) {
            region(
                &mut out,
                a.get(si..i).unwrap_or_default(),
                b.get(sj..j).unwrap_or_default(),
            );
            push_lines(&mut out, a.get(i..=i).unwrap_or_default());
            i += 1;
            j += 1;
            si = i;
            sj = j;
        } else if j < m
            && (i >= n
                || lcs.get(i * w + j + 1).copied().unwrap_or(0)
                    >= lcs.get((i + 1) * w + j).copied().unwrap_or(0))
        {
            j += 1;
        } else {
            i += 1;
        }
    }
    region(
        &mut out,
        a.get(si..).unwrap_or_default(),
        b.get(sj..).unwrap_or_default(),
    );
    out
}

fn push_lines(out: &mut String, lines: &[&str]) {
    for l in lines {
        out.push_str(l);
        if !l.ends_with('\n') {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differing_lines_are_marked() {
        let got = with_markers("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 9\nc: 3\n", "f.yaml");
        assert_eq!(
            got,
            "a: 1\n<<<<<<< ours (f.yaml)\nb: 2\n=======\nb: 9\n>>>>>>> theirs (f.yaml)\nc: 3\n"
        );
    }

    #[test]
    fn equal_texts_have_no_markers() {
        assert_eq!(with_markers("x\ny\n", "x\ny\n", "f"), "x\ny\n");
    }

    #[test]
    fn one_sided_lines_get_an_empty_side() {
        let got = with_markers("a\n", "a\nb\n", "f");
        assert_eq!(got, "a\n<<<<<<< ours (f)\n=======\nb\n>>>>>>> theirs (f)\n");
    }
}
