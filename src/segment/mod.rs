//! Page segmentation: every line gets a label and a reason; the body is decoded for the whole
//! page at once.
//!
//! The decoder works in three steps (see `DESIGN.md`):
//! 1. every line gets shape features and a prose score ([`features`]);
//! 2. a dynamic program picks the runs of lines that hold the article: the best-scoring set of
//!    contiguous runs, each run paying an opening cost, lines inside a run either body (gain:
//!    their score) or chrome skipped over (a small cost), lines outside free;
//! 3. a second pass adds lexical cohesion: lines whose content words the article does not share
//!    (blurbs of other stories) lose score, and the runs are decoded again. Lines outside the
//!    runs are then labelled headline, teaser or boilerplate by their shape and neighbours.

pub mod features;

/// Per-line debugging view (features, scores) for tools and tests.
#[doc(hidden)]
pub fn debug_scores(text: &str) -> Vec<(Option<f32>, Option<f32>, bool)> {
    let seg = Segmenter::default();
    let raw = split_lines(text);
    let mut buf = String::new();
    let feats: Vec<LineFeatures> = raw.iter().map(|l| line_features(l.text, &seg.rules, &mut buf)).collect();
    let base: Vec<Option<f32>> = feats.iter().map(prose_score).collect();
    let in_run = decode_runs(&base, TUNING);
    let gains = with_cohesion(&feats, &base, &in_run, TUNING);
    let in_run2 = decode_runs(&gains, TUNING);
    base.into_iter().zip(gains).zip(in_run2).map(|((a, b), c)| (a, b, c)).collect()
}

use std::collections::HashMap;

use crate::rules::Rules;
use crate::text::{split_lines, RawLine};
use features::{line_features, prose_score, LineFeatures};

/// A line's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// A headline: the article's own title, or the title of a teaser of another story.
    Headline,
    /// A blurb of another story: a lede (maybe cut off with an ellipsis) or a list item.
    Teaser,
    /// A line of the article's body.
    Body,
    /// Site chrome: navigation, calls to action, notices, bylines, empty lines.
    Boilerplate,
}

impl Label {
    /// The label's name as Python sees it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Headline => "headline",
            Self::Teaser => "teaser",
            Self::Body => "body",
            Self::Boilerplate => "boilerplate",
        }
    }
}

/// Every reason code a line can get, with its meaning (documented for users in the README).
pub const REASONS: &[(&str, &str)] = &[
    ("body-run", "body: a prose line inside the decoded article run"),
    ("title", "headline: a title-shaped line just above the article run"),
    ("teaser-headline", "headline: a title-shaped line heading a teaser lede"),
    ("truncated", "teaser: a blurb cut off with '...', '…' or '[...]'"),
    ("blurb", "teaser: a prose line outside the article run"),
    ("list-item", "teaser: a title-shaped line in a list of such lines outside the article"),
    ("empty", "boilerplate: a line with no words"),
    ("in-run-chrome", "boilerplate: a non-prose line inside the article run (caption, label)"),
    ("outside-run", "boilerplate: a short or non-prose line outside the article run"),
    ("rule:app", "boilerplate: app promotion"),
    ("rule:newsletter", "boilerplate: newsletter or subscription prompt"),
    ("rule:comment", "boilerplate: comment prompt or counter"),
    ("rule:share", "boilerplate: share or follow chrome"),
    ("rule:consent", "boilerplate: cookie, consent or legal notice"),
    ("rule:read-more", "boilerplate: read-more or related-content label"),
    ("rule:ad", "boilerplate: advertisement label"),
    ("rule:copyright", "boilerplate: copyright notice"),
    ("rule:nav", "boilerplate: navigation or menu chrome"),
    ("rule:paywall", "boilerplate: paywall or log-in prompt"),
    ("user-rule", "boilerplate: matched a rule the user added"),
];

/// One labelled line of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Byte range of the line's text (without its line break) in the input.
    pub bytes: std::ops::Range<usize>,
    /// Code-point offset where the line starts.
    pub start: usize,
    /// Code-point offset just past the line's break: the lines' spans partition the input.
    pub end: usize,
    /// The label.
    pub label: Label,
    /// The reason code, one of [`REASONS`].
    pub reason: &'static str,
}

/// A teaser of another story found on the page: a headline, its lede, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teaser {
    /// Index of the headline line, if the teaser has one.
    pub headline: Option<usize>,
    /// Index of the lede line, if the teaser has one.
    pub lede: Option<usize>,
    /// Whether the lede was cut off with an ellipsis.
    pub truncated: bool,
}

/// A segmented page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Every input line, in order, exactly once.
    pub lines: Vec<Line>,
    /// The teasers of other stories, in page order.
    pub teasers: Vec<Teaser>,
    /// The body lines' texts joined with `"\n"`.
    pub body: String,
}

/// Tuning of the decoder; the defaults are what the benchmarks report.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    /// A line inside a run is body when its score is above this.
    body_min: f32,
    /// Cost of passing over a non-body line inside a run.
    skip_cost: f32,
    /// Cost of opening a run.
    open_cost: f32,
    /// Weight of the cohesion term.
    cohesion_weight: f32,
}

const TUNING: Tuning = Tuning { body_min: -0.8, skip_cost: 0.45, open_cost: 2.5, cohesion_weight: 4.0 };

/// Segments pages with a set of boilerplate rules. Cheap to share across threads.
#[derive(Debug, Clone, Default)]
pub struct Segmenter {
    rules: Rules,
}

impl Segmenter {
    /// A segmenter with the given rules.
    #[must_use]
    pub fn new(rules: Rules) -> Self {
        Self { rules }
    }

    /// Segments one page (one block of text per line).
    #[must_use]
    pub fn segment(&self, text: &str) -> Page {
        let raw = split_lines(text);
        let mut buf = String::new();
        let feats: Vec<LineFeatures> = raw.iter().map(|l| line_features(l.text, &self.rules, &mut buf)).collect();
        let base: Vec<Option<f32>> = feats.iter().map(prose_score).collect();

        // Pass 1: shape alone.
        let in_run = decode_runs(&base, TUNING);
        // Pass 2: cohesion with the article found in pass 1 shifts the run gains.
        let gains = with_cohesion(&feats, &base, &in_run, TUNING);
        let in_run = decode_runs(&gains, TUNING);

        let labels = label_lines(&feats, &base, &in_run);
        build_page(text, &raw, &feats, labels)
    }
}

/// Picks the runs: `out[i]` is true when line `i` lies inside an article run.
fn decode_runs(score: &[Option<f32>], t: Tuning) -> Vec<bool> {
    let n = score.len();
    // gain of a line inside a run
    let gain = |s: Option<f32>| match s {
        None => 0.0,
        Some(s) if s > t.body_min => s,
        Some(_) => -t.skip_cost,
    };
    // best[i][state]: best total for lines 0..=i, ending outside (0) or inside (1) a run.
    let mut best_out = vec![0f32; n + 1];
    let mut best_in = vec![f32::NEG_INFINITY; n + 1];
    let mut from_in_to_out = vec![false; n + 1];
    let mut from_out_to_in = vec![false; n + 1];
    for i in 0..n {
        let (o, r) = (best_out[i], best_in[i]);
        // outside at i
        if r > o {
            best_out[i + 1] = r;
            from_in_to_out[i + 1] = true;
        } else {
            best_out[i + 1] = o;
        }
        // inside at i: continue a run, or open one
        let g = gain(score[i]);
        // a run only opens on a body line
        let can_open = score[i].is_some_and(|s| s > 0.0);
        let open = if can_open { o - t.open_cost } else { f32::NEG_INFINITY };
        if open > r {
            best_in[i + 1] = open + g;
            from_out_to_in[i + 1] = true;
        } else {
            best_in[i + 1] = r + g;
        }
    }
    // Backtrack; a run must end on a body line, so trailing skipped lines fall outside.
    let mut out = vec![false; n];
    let mut inside = best_in[n] > best_out[n];
    let mut i = n;
    while i > 0 {
        if inside {
            out[i - 1] = true;
            inside = !from_out_to_in[i];
        } else {
            inside = from_in_to_out[i];
        }
        i -= 1;
    }
    trim_runs(&mut out, score, t);
    out
}

/// Drops the non-body lines at the edges of each run (a run starts and ends on body lines).
fn trim_runs(in_run: &mut [bool], score: &[Option<f32>], t: Tuning) {
    let is_body = |i: usize| score[i].is_some_and(|s| s > t.body_min);
    let n = in_run.len();
    let mut i = 0;
    while i < n {
        if !in_run[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && in_run[j] {
            j += 1;
        }
        let mut a = i;
        while a < j && !is_body(a) {
            in_run[a] = false;
            a += 1;
        }
        let mut b = j;
        while b > a && !is_body(b - 1) {
            in_run[b - 1] = false;
            b -= 1;
        }
        i = j;
    }
}

/// Adds the cohesion term: how many of a line's content words the rest of the article uses.
fn with_cohesion(feats: &[LineFeatures], base: &[Option<f32>], in_run: &[bool], t: Tuning) -> Vec<Option<f32>> {
    let mut vocab: HashMap<u64, u32> = HashMap::new();
    let mut article_lines = 0usize;
    for (i, f) in feats.iter().enumerate() {
        if in_run[i] && base[i].is_some_and(|s| s > t.body_min) {
            article_lines += 1;
            for &h in &f.content {
                *vocab.entry(h).or_insert(0) += 1;
            }
        }
    }
    if article_lines < 3 || vocab.len() < 30 {
        return base.to_vec();
    }
    feats
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let s = base[i]?;
            if f.content.len() < 4 {
                return Some(s);
            }
            let own = u32::from(in_run[i] && s > t.body_min);
            let shared = f.content.iter().filter(|h| vocab.get(h).is_some_and(|&c| c > own)).count();
            let coh = shared as f32 / f.content.len() as f32;
            Some(s + t.cohesion_weight * (coh - 0.2).min(0.1))
        })
        .collect()
}

/// Labels every line from the runs and the shapes.
fn label_lines(feats: &[LineFeatures], base: &[Option<f32>], in_run: &[bool]) -> Vec<(Label, &'static str)> {
    let n = feats.len();
    let mut labels: Vec<(Label, &'static str)> = Vec::with_capacity(n);
    for (i, f) in feats.iter().enumerate() {
        let lab = if f.is_empty() {
            (Label::Boilerplate, "empty")
        } else if let Some(hit) = f.rule {
            (Label::Boilerplate, hit.category.reason())
        } else if in_run[i] {
            if base[i].is_some_and(|s| s > TUNING.body_min) {
                (Label::Body, "body-run")
            } else {
                (Label::Boilerplate, "in-run-chrome")
            }
        } else if f.truncated && f.eff_words() >= 4.0 {
            (Label::Teaser, "truncated")
        } else if f.sentence_like() {
            (Label::Teaser, "blurb")
        } else {
            (Label::Boilerplate, "outside-run")
        };
        labels.push(lab);
    }
    // Headlines: a title-shaped line outside the runs whose next non-empty line is a teaser lede
    // or, past at most three short chrome lines (dateline, byline), the start of the article.
    let next_content = |i: usize| (i + 1..n).find(|&j| !feats[j].is_empty());
    for i in 0..n {
        if in_run[i] || labels[i].0 != Label::Boilerplate || !feats[i].title_like() {
            continue;
        }
        let Some(j) = next_content(i) else { continue };
        if labels[j].0 == Label::Teaser && labels[j].1 != "list-item" {
            labels[i] = (Label::Headline, "teaser-headline");
            continue;
        }
        let mut k = j;
        for _ in 0..4 {
            if in_run[k] && labels[k].0 == Label::Body {
                labels[i] = (Label::Headline, "title");
                break;
            }
            if feats[k].eff_words() > 12.0 || labels[k].0 != Label::Boilerplate {
                break;
            }
            match next_content(k) {
                Some(next) => k = next,
                None => break,
            }
        }
    }
    // List items: two or more adjacent title-shaped lines outside the runs.
    let list_item = |i: usize, labels: &[(Label, &str)]| {
        !in_run[i] && feats[i].title_like() && feats[i].eff_words() >= 4.0 && labels[i].1 == "outside-run"
    };
    let snapshot = labels.clone();
    for i in 0..n {
        if !list_item(i, &snapshot) {
            continue;
        }
        let prev = (0..i).rev().find(|&j| !feats[j].is_empty());
        let next = next_content(i);
        let neighbour = |j: Option<usize>| {
            j.is_some_and(|j| list_item(j, &snapshot) || matches!(snapshot[j].0, Label::Teaser | Label::Headline) && !in_run[j])
        };
        if neighbour(prev) || neighbour(next) {
            labels[i] = (Label::Teaser, "list-item");
        }
    }
    labels
}

fn build_page(text: &str, raw: &[RawLine<'_>], feats: &[LineFeatures], labels: Vec<(Label, &'static str)>) -> Page {
    let base = text.as_ptr() as usize;
    let mut body = String::new();
    let mut lines = Vec::with_capacity(raw.len());
    for (l, (label, reason)) in raw.iter().zip(labels) {
        let b0 = l.text.as_ptr() as usize - base;
        if label == Label::Body {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(l.text);
        }
        lines.push(Line { bytes: b0..b0 + l.text.len(), start: l.start, end: l.end, label, reason });
    }
    let teasers = group_teasers(&lines, feats);
    Page { lines, teasers, body }
}

/// Groups each teaser headline with the lede under it.
fn group_teasers(lines: &[Line], feats: &[LineFeatures]) -> Vec<Teaser> {
    let mut out = Vec::new();
    let mut pending: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        if feats[i].is_empty() {
            continue;
        }
        match (l.label, l.reason) {
            (Label::Headline, "teaser-headline") => {
                if let Some(h) = pending.take() {
                    out.push(Teaser { headline: Some(h), lede: None, truncated: false });
                }
                pending = Some(i);
            }
            (Label::Teaser, "list-item") => {
                if let Some(h) = pending.take() {
                    out.push(Teaser { headline: Some(h), lede: None, truncated: false });
                }
                out.push(Teaser { headline: Some(i), lede: None, truncated: false });
            }
            (Label::Teaser, reason) => {
                out.push(Teaser { headline: pending.take(), lede: Some(i), truncated: reason == "truncated" });
            }
            _ => {
                if let Some(h) = pending.take() {
                    out.push(Teaser { headline: Some(h), lede: None, truncated: false });
                }
            }
        }
    }
    if let Some(h) = pending {
        out.push(Teaser { headline: Some(h), lede: None, truncated: false });
    }
    out
}

#[cfg(test)]
mod tests;
