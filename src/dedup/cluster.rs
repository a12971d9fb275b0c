//! Union-find with a representative per cluster.

/// No representative chosen yet.
pub const NONE: u32 = u32::MAX;

/// A disjoint-set forest over document indices. The root of a merged set is its smallest
/// index, so the forest's shape does not depend on the order links arrive in; `rep[root]` is
/// the set's representative once chosen (merging two chosen sets keeps the smaller index).
#[derive(Debug, Clone, Default)]
pub struct UnionFind {
    /// Parent of each index (a root is its own parent).
    pub parent: Vec<u32>,
    /// Representative of each root (`NONE` until chosen).
    pub rep: Vec<u32>,
}

impl UnionFind {
    /// Adds `n` singleton sets.
    pub fn grow(&mut self, n: usize) {
        let start = self.parent.len() as u32;
        self.parent.extend(start..start + n as u32);
        self.rep.extend(std::iter::repeat(NONE).take(n));
    }

    /// The root of `x`'s set (with path halving).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    /// Merges the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[child as usize] = root;
        let (x, y) = (self.rep[root as usize], self.rep[child as usize]);
        self.rep[root as usize] = if x == NONE { y } else if y == NONE { x } else { x.min(y) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_free_roots() {
        let links = [(3u32, 4u32), (1, 4), (5, 6), (6, 0)];
        let mut a = UnionFind::default();
        a.grow(7);
        let mut b = a.clone();
        for &(x, y) in &links {
            a.union(x, y);
        }
        for &(x, y) in links.iter().rev() {
            b.union(y, x);
        }
        for i in 0..7 {
            assert_eq!(a.find(i), b.find(i));
        }
        assert_eq!(a.find(4), 1);
        assert_eq!(a.find(6), 0);
        assert_eq!(a.find(2), 2);
    }

    #[test]
    fn representatives_merge() {
        let mut u = UnionFind::default();
        u.grow(4);
        u.rep[2] = 2;
        u.rep[3] = 3;
        u.union(2, 3);
        let r = u.find(3);
        assert_eq!(u.rep[r as usize], 2);
        u.union(0, 3);
        let r = u.find(0);
        assert_eq!(u.rep[r as usize], 2);
    }
}
