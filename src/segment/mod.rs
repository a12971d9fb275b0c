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

/// One line of [`debug_scores`]: `(prose score, run gain, in run, cohesion, template)`.
#[doc(hidden)]
pub type DebugRow = (Option<f32>, Option<f32>, bool, Option<f32>, bool);

/// Per-line debugging view for tools, decoded with the site's profile when one is given.
#[doc(hidden)]
#[must_use]
pub fn debug_scores(text: &str, site: Option<&SiteProfile>) -> Vec<DebugRow> {
    let seg = Segmenter::default();
    let raw = split_lines(text);
    let d = seg.decode(&raw, site);
    let rows = d.base.iter().zip(&d.gains).zip(&d.in_run).zip(&d.coh).zip(&d.template);
    rows.map(|((((&a, &b), &c), &e), &t)| (a, b, c, e, t)).collect()
}

use crate::profile::SiteProfile;
use crate::rules::{Category, Hit, Rules, Strength};
use crate::text::{split_lines, HashMapU64, RawLine};
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
    ("site-blurb", "teaser: a prose line the site prints on many of its pages (needs a profile)"),
    ("list-date", "teaser: a date line between two items of a list of stories"),
    ("empty", "boilerplate: a line with no words"),
    ("site-template", "boilerplate: a non-prose line the site prints on many of its pages (needs a profile)"),
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
    /// A line whose score is above this counts as body when deciding where runs go.
    body_min: f32,
    /// A line inside a run (and not matched by a rule) is labelled body above this score:
    /// lower than `body_min`, so sub-heads and one-line paragraphs inside the article stay.
    in_run_min: f32,
    /// Cost of passing over a non-body line inside a run.
    skip_cost: f32,
    /// A blurb list has at least this many lines...
    list_min_items: f32,
    /// ...whose neighbours share at most this share of content words on average.
    list_max_overlap: f32,
    /// ...and whose cohesion with the whole article stays below this on average...
    list_max_cohesion: f32,
    /// ...or whose share of words used by the (larger) rest of the article stays below this.
    list_max_outside_cohesion: f32,
    /// A list of headline and lede pairs has at least this many pairs in a row...
    pairs_min: f32,
    /// ...each headline with at least this share of its content words in its lede, of at
    /// most this many sentences.
    pair_min_echo: f32,
    pair_max_sentences: usize,
    /// A line on at least this share of a site's pages (and on two or more) is template.
    template_share: f32,
    /// A site profile needs this many pages before its template bounds the article.
    profile_min_pages: u32,
    /// Score taken from (and at most zero left to) a template line.
    template_penalty: f32,
    /// Cost of passing over a blurb-shaped template line inside a run.
    template_skip_cost: f32,
    /// A line on at least this share of a site's pages is site chrome...
    chrome_share: f32,
    /// ...and prose is, on at least this share.
    chrome_prose_share: f32,
    /// A prose line with at least this cohesion with its article is not template there.
    template_keep_cohesion: f32,
    /// Score taken from (and at most zero left to) each line of a blurb list.
    list_penalty: f32,
    /// Cost of passing over, inside a run, an item of a list laid out as a list of stories (its
    /// items alternate with headlines or dates), or the full form of a lede cut off elsewhere on
    /// the page: such a list ends the article, so reaching past it for more prose costs more
    /// than passing over a plain row of one-sentence lines, which a terse article also makes.
    list_skip_cost: f32,
    /// Cost of passing over a section header inside a run.
    boundary_cost: f32,
    /// Cost of opening a run.
    open_cost: f32,
    /// Slope of the cohesion factor: a prose line's gain is scaled by
    /// `(cohesion - cohesion_floor) * cohesion_weight`, clamped to -0.6..=1.
    cohesion_weight: f32,
    /// Cohesion below which a prose line counts against the run.
    cohesion_floor: f32,
    /// Score taken from the full form of a teaser lede cut off elsewhere on the page.
    echo_penalty: f32,
}

const TUNING: Tuning = Tuning {
    body_min: -0.8,
    in_run_min: -2.6,
    skip_cost: 0.45,
    open_cost: 100.0,
    cohesion_weight: 4.0,
    cohesion_floor: -0.1,
    echo_penalty: 5.0,
    boundary_cost: 10.0,
    list_penalty: 1.0,
    list_skip_cost: 2.0,
    list_min_items: 6.0,
    list_max_overlap: 0.12,
    list_max_cohesion: 0.2,
    list_max_outside_cohesion: 0.15,
    pairs_min: 3.0,
    pair_min_echo: 0.4,
    pair_max_sentences: 2,
    template_share: 0.0,
    profile_min_pages: 20,
    template_penalty: 3.0,
    template_skip_cost: 3.0,
    chrome_share: 0.25,
    chrome_prose_share: 0.9,
    template_keep_cohesion: 0.35,
};

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
        self.segment_with(text, None)
    }

    /// Segments one page of a site whose line counts are known (see [`crate::Profile`]).
    #[must_use]
    pub fn segment_with(&self, text: &str, site: Option<&SiteProfile>) -> Page {
        let raw = split_lines(text);
        let d = self.decode(&raw, site);
        let labels = label_lines(&d, &raw);
        build_page(text, &raw, &d.feats, labels)
    }

    /// Features, scores and the decoded runs of a page.
    fn decode(&self, raw: &[RawLine<'_>], site: Option<&SiteProfile>) -> Decoded {
        let t = TUNING;
        let mut buf = String::new();
        let mut words: Vec<u64> = Vec::with_capacity(raw.iter().map(|l| l.text.len()).sum::<usize>() / 8);
        let feats: Vec<LineFeatures> = raw.iter().map(|l| line_features(l.text, &self.rules, &mut buf, &mut words)).collect();
        let base: Vec<Option<f32>> = feats.iter().map(prose_score).collect();
        let echo = echoes(&feats, &words);
        let skip = skip_costs(&feats, t);
        // Pass 1: shape alone.
        let first = decode_runs(&base, &skip, t);
        // Pass 2: cohesion with the article found in pass 1 shifts the run gains.
        let coh = cohesion(&feats, &words, &base, &first, &echo, t);
        let (mut in_list, mut structured) = blurb_lists(raw, &feats, &words, &coh, &base, &first);
        for i in story_pairs(raw, &feats, &words, t) {
            in_list[i] = true;
            structured[i] = true;
        }
        let view = site.map(|sp| site_template(raw, &feats, &words, &base, &first, &echo, sp, t));
        let none = || vec![false; raw.len()];
        let (template, chrome, overruled) = view.map_or_else(|| (none(), none(), none()), |v| (v.template, v.chrome, v.overruled));
        // With a profile of enough pages, a list of stories is what the site repeats: the shape
        // alone no longer makes one (short wire-style articles look like lists).
        let profiled = site.is_some_and(|sp| sp.pages >= u64::from(t.profile_min_pages));
        if profiled {
            for (l, &tm) in in_list.iter_mut().zip(&template) {
                *l &= tm;
            }
        }
        let heads = teaser_heads(raw, &feats);
        let mut gains = with_cohesion(&feats, &base, &coh, &echo, &in_list, t);
        for (i, g) in gains.iter_mut().enumerate() {
            if let Some(s) = g.as_mut() {
                if template[i] {
                    *s = s.min(0.0) - t.template_penalty;
                }
                if heads[i].is_some() || i > 0 && heads[..i].iter().rev().take(3).any(|h| *h == Some(i)) {
                    *s = s.min(0.0) - t.list_penalty;
                }
            }
        }
        // The article does not carry its site's template: passing over a template line inside
        // the run costs more than passing over other chrome, and known prose (a story's blurb)
        // twice as much as a short known line (a sub-head that a few of the site's articles
        // share). Nor does it run on past a list of stories (see `list_skip_cost`).
        let skip: Vec<f32> = (0..raw.len())
            .map(|i| {
                let s = match (template[i], feats[i].sentence_like() || feats[i].truncated) {
                    (true, true) => skip[i].max(t.template_skip_cost),
                    (true, false) => skip[i].max(t.template_skip_cost / 2.0),
                    (false, _) => skip[i],
                };
                if in_list[i] && structured[i] || is_teaser_full_form(&feats, &echo, i) {
                    s.max(t.list_skip_cost)
                } else {
                    s
                }
            })
            .collect();
        let mut in_run = decode_runs(&gains, &skip, t);
        // With a profile of enough pages, the site's template marks where its article ends:
        // the run grows over the lines up to the nearest template, rule or teaser line.
        if profiled {
            let stop = |i: usize| template[i] || feats[i].rule.is_some() && !overruled[i] || feats[i].truncated || heads[i].is_some() || in_list[i];
            // A page without prose (a table, a schedule) has no run: its article is then the
            // longest stretch of three or more lines the site does not repeat.
            // So is a page whose run is one or two lines while a stretch of at least three, and
            // three times as many, lines the site does not repeat stands elsewhere (a table the
            // shape scores low, and a blurb the profile does not know picked instead).
            let lines_in = |run: &[bool]| run.iter().zip(&feats).filter(|(&r, f)| r && !f.is_empty()).count();
            let run_lines = lines_in(&in_run);
            if run_lines < 3 {
                let mut unknown = vec![false; raw.len()];
                open_unknown_run(&mut unknown, &feats, |i| stop(i) || feats[i].dateline);
                let unknown_lines = lines_in(&unknown);
                if unknown_lines >= 3 * run_lines.max(1) {
                    in_run = unknown;
                }
            }
            grow_runs(&mut in_run, stop);
        }
        let overruled = overruled.iter().map(|&o| o && profiled).collect();
        Decoded { feats, base, echo, coh, gains, in_run, template, chrome, overruled, heads, profiled }
    }
}

/// Grows each run over the lines next to it until a line for which `stop` holds.
fn grow_runs(in_run: &mut [bool], stop: impl Fn(usize) -> bool) {
    let n = in_run.len();
    for run in run_ranges(in_run) {
        let mut a = run.start;
        while a > 0 && !in_run[a - 1] && !stop(a - 1) {
            a -= 1;
            in_run[a] = true;
        }
        let mut b = run.end;
        while b < n && !in_run[b] && !stop(b) {
            in_run[b] = true;
            b += 1;
        }
    }
}

/// Marks the longest stretch of at least three non-empty lines for which `stop` does not hold
/// (empty lines inside it do not count and do not break it) as the run; the earliest on ties.
fn open_unknown_run(in_run: &mut [bool], feats: &[LineFeatures], stop: impl Fn(usize) -> bool) {
    const MIN_LINES: usize = 3;
    let mut best: Option<(usize, usize, usize)> = None; // (lines, first, last)
    let mut cur: Option<(usize, usize, usize)> = None;
    for (i, f) in feats.iter().enumerate() {
        if f.is_empty() {
            continue;
        }
        if stop(i) {
            cur = None;
            continue;
        }
        let c = cur.map_or((1, i, i), |(n, a, _)| (n + 1, a, i));
        cur = Some(c);
        if c.0 >= MIN_LINES && best.map_or(true, |b| c.0 > b.0) {
            best = Some(c);
        }
    }
    if let Some((_, a, b)) = best {
        in_run[a..=b].fill(true);
    }
}

/// The maximal runs of `true` in `in_run`, in order.
fn run_ranges(in_run: &[bool]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < in_run.len() {
        if in_run[i] {
            let start = i;
            while i < in_run.len() && in_run[i] {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

/// The nearest non-empty line before (`back`) or after `i`.
fn neighbour(feats: &[LineFeatures], i: usize, back: bool) -> Option<usize> {
    if back {
        (0..i).rev().find(|&j| !feats[j].is_empty())
    } else {
        (i + 1..feats.len()).find(|&j| !feats[j].is_empty())
    }
}

/// How many of the sorted word hashes `a` are also in the sorted `b`.
fn shared_count(a: &[u64], b: &[u64]) -> usize {
    a.iter().filter(|h| b.binary_search(h).is_ok()).count()
}

/// Teaser headline and lede pairs of the kind lists of stories print: a short title-shaped
/// line whose words are the start of the next line ("Storm hits coast" / "Storm hits coast as
/// thousands flee..."). `out[i] = Some(j)` for the headline `i` of lede `j`.
fn teaser_heads<'a>(raw: &[RawLine<'a>], feats: &[LineFeatures]) -> Vec<Option<usize>> {
    let n = raw.len();
    let mut out = vec![None; n];
    for i in 0..n {
        let f = &feats[i];
        if f.n_words < 2 || f.eff_words() > 25.0 || f.rule.is_some() {
            continue;
        }
        let Some(j) = (i + 1..n.min(i + 3)).find(|&j| !feats[j].is_empty()) else { continue };
        // One of the two is the start of the other (a cut-off lede can be shorter than its
        // headline), compared without trailing dots, ellipses and colons.
        let strip = |t: &'a str| t.trim().trim_end_matches(|c: char| matches!(c, '.' | '…' | ' ' | ':' | '[' | ']'));
        let (head, lede) = (strip(raw[i].text), strip(raw[j].text));
        let (short, long) = if head.len() <= lede.len() { (head, lede) } else { (lede, head) };
        let two_words = || short.split_whitespace().nth(1).is_some();
        if short.len() < long.len() && long.is_char_boundary(short.len()) && long[..short.len()].eq_ignore_ascii_case(short) && two_words() {
            out[i] = Some(j);
        }
    }
    out
}

/// What the site's profile says of each line.
struct SiteView {
    /// The line is template: on two or more of the site's pages, and not spared (below).
    template: Vec<bool>,
    /// The line is site chrome: not prose, and on at least a quarter of the site's pages
    /// (never a teaser).
    chrome: Vec<bool>,
    /// A built-in chrome phrase matched inside this sentence, but the site's counts say it is
    /// not chrome: no other page carries it (inside the article it is the article's), or the
    /// site repeats it as it repeats its stories' blurbs (in a list it is one of them).
    overruled: Vec<bool>,
}

/// Marks the lines that the site prints on many of its pages (its template), from the
/// profile's counts. The article's own prose is spared: a known prose line with no known
/// neighbour of a similar count (a blurb list's lines recur together) is the page's own text
/// quoted as a blurb elsewhere; so is one that coheres with the first-pass article, and a short
/// line that opens it; and when most of the article is known, each line from about one other
/// page, the page is a republished copy, not template. Also marks site chrome and the phrase
/// rule hits that the counts overrule (see `DESIGN.md`).
#[allow(clippy::too_many_arguments)]
fn site_template(
    raw: &[RawLine<'_>],
    feats: &[LineFeatures],
    words: &[u64],
    base: &[Option<f32>],
    first: &[bool],
    echo: &[Option<usize>],
    sp: &SiteProfile,
    t: Tuning,
) -> SiteView {
    let n = raw.len();
    let min_count = 2u32.max((t.template_share * sp.pages as f32).ceil() as u32);
    let counts: Vec<u32> = raw
        .iter()
        .zip(feats)
        .map(|(l, f)| if f.is_empty() || l.text.len() > crate::profile::MAX_LINE_BYTES { 0 } else { sp.count(l.text) })
        .collect();
    let seen: Vec<bool> = counts.iter().map(|&c| c >= min_count).collect();
    // Cohesion with the lines of the first-pass article the site does not repeat: a blurb list
    // taken into the first run must not lend its items support.
    let unknown_article: Vec<bool> = first.iter().zip(&seen).map(|(&f, &s)| f && !s).collect();
    let coh = cohesion(feats, words, base, &unknown_article, echo, t);
    // Site chrome: a line on a quarter of the site's pages, or prose on nine in ten of them (a
    // story's blurb is on the pages of a few days; a call to action in sentences is on all).
    let at_share = |i: usize, share: f32| sp.pages >= 4 && counts[i] as f32 >= share * sp.pages as f32;
    // A short line on a quarter of the pages is no chrome when the blurb under it recurs with it
    // (counts within a factor of 1.5) on at most half the pages: it is that story's headline,
    // kept for days in a box of the site's most read, on a site of few pages. A chrome label
    // ("Most read") stands above a different blurb on each page; a masthead above a sentence
    // on most pages is chrome over chrome.
    let heads_a_blurb = |i: usize| {
        neighbour(feats, i, false).is_some_and(|j| {
            (feats[j].sentence_like() || feats[j].truncated) && 2 * u64::from(counts[j]) <= sp.pages && 2 * counts[i].max(counts[j]) <= 3 * counts[i].min(counts[j])
        })
    };
    let chrome: Vec<bool> = (0..n)
        .map(|i| {
            if feats[i].sentence_like() {
                at_share(i, t.chrome_prose_share)
            } else {
                at_share(i, t.chrome_share) && !heads_a_blurb(i)
            }
        })
        .collect();
    let article: Vec<usize> = (0..n).filter(|&i| first[i] && base[i].is_some_and(|s| s > 0.0)).collect();
    let mut known: Vec<u32> = article.iter().filter(|&&i| seen[i]).map(|&i| counts[i]).collect();
    known.sort_unstable();
    let republished = article.len() >= 3 && known.len() * 2 > article.len() && known[known.len() / 2] <= 2;
    // A mate: a known line next to `i` that recurs with it (a similar count). Cut-off ledes
    // are no mates: a featured story's teaser often sits just above the article's own lede.
    let mate = |i: usize, back: bool| {
        neighbour(feats, i, back).is_some_and(|j| {
            seen[j] && !chrome[j] && !feats[j].dateline && !feats[j].truncated && feats[j].n_words >= 2 && counts[i].max(counts[j]) <= 2 * counts[i].min(counts[j])
        })
    };
    // A short known line that opens the first-pass article (a dateline cut off as a blurb's
    // lede elsewhere, "PORTVILLE, Ont. —"): the previous line is not in that article, the
    // next one is prose the site does not repeat, and it recurs like the page's blurbs do
    // (at most twice their median count), not like a byline or a date on many pages.
    let mut blurb_counts: Vec<u32> = (0..n).filter(|&i| seen[i] && !chrome[i] && feats[i].sentence_like()).map(|i| counts[i]).collect();
    blurb_counts.sort_unstable();
    let blurb_median = blurb_counts.get(blurb_counts.len() / 2).copied();
    let opens_article = |i: usize| {
        let next = neighbour(feats, i, false).is_some_and(|j| !seen[j] && first[j] && feats[j].sentence_like());
        let like_blurbs = blurb_median.is_some_and(|m| counts[i] <= 2 * m);
        let wordy = !feats[i].dateline && feats[i].n_numeric * 2 < feats[i].n_words;
        next && like_blurbs && wordy && feats[i].rule.is_none() && !neighbour(feats, i, true).is_some_and(|k| first[k])
    };
    let mut template: Vec<bool> = (0..n)
        .map(|i| {
            let prose = feats[i].sentence_like();
            let alone = prose && !mate(i, true) && !mate(i, false);
            let own = alone || !prose && opens_article(i) || prose && (republished || coh[i].is_some_and(|c| c >= t.template_keep_cohesion));
            chrome[i] || seen[i] && !own
        })
        .collect();
    // A line the profile does not know between two template lines of a list (a blurb reworded
    // on this page) belongs to the list.
    let listed = |j: Option<usize>| j.is_some_and(|j| template[j] && !chrome[j] && !feats[j].dateline);
    let sandwiched: Vec<usize> = (0..n)
        .filter(|&i| !seen[i] && !feats[i].is_empty() && feats[i].rule.is_none() && listed(neighbour(feats, i, true)) && listed(neighbour(feats, i, false)))
        .collect();
    for i in sandwiched {
        template[i] = true;
    }
    let overruled = (0..n)
        .map(|i| {
            feats[i].rule.is_some_and(|h| h.category != crate::rules::Category::User && h.strength == crate::rules::Strength::Contains)
                && LineFeatures { rule: None, ..feats[i].clone() }.sentence_like()
                && (counts[i] <= 1 || template[i] && !chrome[i])
        })
        .collect();
    SiteView { template, chrome, overruled }
}

/// What the decoder worked out for a page.
struct Decoded {
    /// Lines the site's profile marks as its template.
    template: Vec<bool>,
    /// Lines on a quarter or more of the site's pages.
    chrome: Vec<bool>,
    /// Sentences with a chrome phrase whose counts say they are not chrome (profiled only; see
    /// [`SiteView`]).
    overruled: Vec<bool>,
    /// For a teaser headline, the line of its lede (which starts with the headline's words).
    heads: Vec<Option<usize>>,
    /// Whether a site profile of enough pages informed the decoding.
    profiled: bool,
    feats: Vec<LineFeatures>,
    base: Vec<Option<f32>>,
    echo: Vec<Option<usize>>,
    coh: Vec<Option<f32>>,
    gains: Vec<Option<f32>>,
    in_run: Vec<bool>,
}

/// The cost of passing over each line inside a run: small for chrome that sits inside
/// articles (ad labels, captions, "read also" links), high for the headers that open the
/// sections after an article ("Related stories", "Comments", "Newsletter").
fn skip_costs(feats: &[LineFeatures], t: Tuning) -> Vec<f32> {
    use crate::rules::{Category, Strength};
    feats
        .iter()
        .map(|f| match f.rule {
            Some(hit) if hit.strength == Strength::WholeLine
                && matches!(hit.category, Category::ReadMore | Category::Comment | Category::Newsletter) =>
            {
                t.boundary_cost
            }
            _ => t.skip_cost,
        })
        .collect()
}

/// Picks the runs: `out[i]` is true when line `i` lies inside an article run.
fn decode_runs(score: &[Option<f32>], skip: &[f32], t: Tuning) -> Vec<bool> {
    const NONE: u8 = 0; // before any run
    const IN: u8 = 1; // inside a run
    const AFTER: u8 = 2; // after a run: opening another one costs `open_cost`
    let n = score.len();
    // gain of a line inside a run: its score, but passing over a non-body line costs only its
    // skip cost
    let gain = |i: usize| match score[i] {
        None => 0.0,
        Some(s) => s.max(-skip[i]),
    };
    // best[s]: best total so far ending in state s; back[i][s]: the state line i-1 was in.
    let mut best = [0f32, f32::NEG_INFINITY, f32::NEG_INFINITY];
    let mut back = vec![[NONE; 3]; n];
    for i in 0..n {
        let [none, inside, after] = best;
        let can_open = score[i].is_some_and(|s| s > 0.0);
        let mut next = [none, f32::NEG_INFINITY, f32::NEG_INFINITY];
        back[i][NONE as usize] = NONE;
        // inside: continue, or open (the first run for free, later ones at a cost)
        let mut from = (inside, IN);
        if can_open && none > from.0 {
            from = (none, NONE);
        }
        if can_open && after - t.open_cost > from.0 {
            from = (after - t.open_cost, AFTER);
        }
        next[IN as usize] = from.0 + gain(i);
        back[i][IN as usize] = from.1;
        // after: stay out, or close the run at the previous line
        if inside >= after {
            next[AFTER as usize] = inside;
            back[i][AFTER as usize] = IN;
        } else {
            next[AFTER as usize] = after;
            back[i][AFTER as usize] = AFTER;
        }
        best = next;
    }
    let mut state = (0..3u8).max_by(|&a, &b| best[a as usize].total_cmp(&best[b as usize]).then(b.cmp(&a))).unwrap_or(NONE);
    let mut out = vec![false; n];
    for i in (0..n).rev() {
        out[i] = state == IN;
        state = back[i][state as usize];
    }
    trim_runs(&mut out, score, t);
    out
}

/// Drops the non-body lines at the edges of each run (a run starts and ends on body lines).
fn trim_runs(in_run: &mut [bool], score: &[Option<f32>], t: Tuning) {
    let is_body = |i: usize| score[i].is_some_and(|s| s > t.body_min);
    for run in run_ranges(in_run) {
        let (mut a, mut b) = (run.start, run.end);
        while a < b && !is_body(a) {
            in_run[a] = false;
            a += 1;
        }
        while b > a && !is_body(b - 1) {
            in_run[b - 1] = false;
            b -= 1;
        }
    }
}

/// Cohesion of each line with the article found by a first decoding: the share of the line's
/// content words that other lines of the runs also use. `None` where there is too little text
/// to judge (short lines, or a first-pass article under three lines or 30 distinct words).
fn cohesion(feats: &[LineFeatures], words: &[u64], base: &[Option<f32>], in_run: &[bool], echo: &[Option<usize>], t: Tuning) -> Vec<Option<f32>> {
    let mut vocab: HashMapU64<u32> = HashMapU64::with_capacity_and_hasher(words.len(), Default::default());
    let mut article_lines = 0usize;
    for (i, f) in feats.iter().enumerate() {
        if in_run[i] && base[i].is_some_and(|s| s > t.body_min) {
            article_lines += 1;
            for &h in f.content.get(words) {
                *vocab.entry(h).or_insert(0) += 1;
            }
        }
    }
    if article_lines < 3 || vocab.len() < 30 {
        return vec![None; feats.len()];
    }
    feats
        .iter()
        .enumerate()
        .map(|(i, f)| {
            base[i]?;
            if f.content.len() < 4 {
                return None;
            }
            let counted = |j: usize| in_run[j] && base[j].is_some_and(|s| s > t.body_min);
            let own = u32::from(counted(i));
            // An echo (the same story worded again on the page) lends no support.
            let twin = echo[i].filter(|&j| counted(j)).map(|j| feats[j].content.get(words));
            let shared = f
                .content
                .get(words)
                .iter()
                .filter(|h| {
                    let minus = own + u32::from(twin.is_some_and(|c| c.binary_search(h).is_ok()));
                    vocab.get(h).is_some_and(|&c| c > minus)
                })
                .count();
            Some(shared as f32 / f.content.len() as f32)
        })
        .collect()
}

/// Run gains with the cohesion term added, and the full forms of cut-off teasers pushed out.
fn with_cohesion(feats: &[LineFeatures], base: &[Option<f32>], coh: &[Option<f32>], echo: &[Option<usize>], in_list: &[bool], t: Tuning) -> Vec<Option<f32>> {
    (0..base.len())
        .map(|i| {
            let mut s = base[i]?;
            if let (Some(c), true) = (coh[i], s > 0.0) {
                // Prose that shares few words with the article is evidence for its end.
                s *= ((c - t.cohesion_floor) * t.cohesion_weight).clamp(-0.6, 1.0);
            }
            if is_teaser_full_form(feats, echo, i) {
                s -= t.echo_penalty;
            }
            if in_list[i] {
                s = s.min(0.0) - t.list_penalty;
            }
            Some(s)
        })
        .collect()
}

/// Marks the lines of blurb lists: `list_min_items` (six) or more consecutive one-sentence
/// prose lines in a row (or with a date or a headline between items at two places or more)
/// that do not share words with their neighbours (each one is about another story). An
/// article's one-sentence paragraphs continue one story, so they share names and terms.
/// Returns the list lines, and among them those of lists laid out as lists of stories (found
/// by passing over dates or headlines), which mark the article's end more surely.
fn blurb_lists(raw: &[RawLine<'_>], feats: &[LineFeatures], words: &[u64], coh: &[Option<f32>], base: &[Option<f32>], first: &[bool]) -> (Vec<bool>, Vec<bool>) {
    let (min_items, max_overlap) = (TUNING.list_min_items as usize, TUNING.list_max_overlap);
    let candidate = |f: &LineFeatures| {
        f.rule.is_none() && f.n_sentences <= 1 && f.eff_words() >= 8.0 && (f.ends_terminal || f.truncated) && f.content.len() >= 3
    };
    let overlap = |a: &LineFeatures, b: &LineFeatures| {
        shared_count(a.content.get(words), b.content.get(words)) as f32 / a.content.len().min(b.content.len()).max(1) as f32
    };
    // The block must also be off the topic of the article, judged two ways: (a) its lines'
    // cohesion with the whole first-pass article stays low; or (b) their share of words used
    // by the first-pass article outside the block stays low, where that outside part is the
    // larger (a blurb list about related stories shares words among its own items). Edge
    // lines that are on topic (the article's last one-sentence paragraph, say) are trimmed.
    // The first-pass article's word counts and length, made when a block first needs them
    // (most pages have no block that does).
    let article_counts = std::cell::OnceCell::new();
    let article_counts = || {
        article_counts.get_or_init(|| {
            let mut article: HashMapU64<u32> = HashMapU64::with_capacity_and_hasher(words.len(), Default::default());
            let mut article_words = 0usize;
            for (i, f) in feats.iter().enumerate() {
                if first[i] && base[i].is_some_and(|s| s > 0.0) {
                    article_words += f.n_words;
                    for &h in f.content.get(words) {
                        *article.entry(h).or_insert(0) += 1;
                    }
                }
            }
            (article, article_words)
        })
    };
    let outside_shares = |block: &[usize]| {
        let (article, article_words) = article_counts();
        let mut inside: HashMapU64<u32> = HashMapU64::default();
        let mut inside_words = 0usize;
        for &i in block {
            if first[i] && base[i].is_some_and(|s| s > 0.0) {
                inside_words += feats[i].n_words;
                for &h in feats[i].content.get(words) {
                    *inside.entry(h).or_insert(0) += 1;
                }
            }
        }
        let outside = |h: &u64| article.get(h).copied().unwrap_or(0) > inside.get(h).copied().unwrap_or(0);
        let vocab = article.keys().filter(|h| outside(h)).count();
        let share = |i: usize| feats[i].content.get(words).iter().filter(|h| outside(h)).count() as f32 / feats[i].content.len() as f32;
        let larger_outside = article_words.saturating_sub(inside_words) > inside_words;
        (vocab >= 30 && larger_outside, block.iter().map(|&i| share(i)).collect::<Vec<f32>>())
    };
    // The list inside `block` under one judgement: trimmed of on-topic edges, long enough,
    // items unlike their neighbours, off topic on average.
    let judge = |block: &[usize], shares: &[f32], max_share: f32| -> Option<std::ops::Range<usize>> {
        let (mut a, mut b) = (0, block.len());
        while a < b && shares[a] >= max_share {
            a += 1;
        }
        while b > a && shares[b - 1] >= max_share {
            b -= 1;
        }
        let items = &block[a..b];
        if items.len() < min_items {
            return None;
        }
        let n = items.len() as f32;
        let adjacent: f32 = items.windows(2).map(|w| overlap(&feats[w[0]], &feats[w[1]])).sum();
        let topical: f32 = shares[a..b].iter().sum();
        (adjacent / (n - 1.0) <= max_overlap && topical / n < max_share).then_some(a..b)
    };
    let has_cohesion = coh.iter().any(Option::is_some);
    let mut out = vec![0u8; feats.len()];
    let mut block: Vec<usize> = Vec::new();
    let flush = |block: &mut Vec<usize>, out: &mut Vec<u8>, level: u8| {
        if block.len() >= min_items {
            let whole: Vec<f32> = block.iter().map(|&i| coh[i].unwrap_or(0.0)).collect();
            let found = has_cohesion.then(|| judge(block, &whole, TUNING.list_max_cohesion)).flatten().or_else(|| {
                let (usable, outside) = outside_shares(block);
                usable.then(|| judge(block, &outside, TUNING.list_max_outside_cohesion)).flatten()
            });
            if let Some(r) = found {
                for &i in &block[r] {
                    out[i] = out[i].max(level);
                }
            }
        }
        block.clear();
    };
    // Rows of consecutive candidates, in two passes. Lists that print each story's date or
    // headline: the second pass reads one or two date lines, or one headline-shaped line, between
    // items as part of the row, and judges a block only when it passed over such lines at two
    // places or more. One date between prose lines is as likely the page's own, between a
    // featured story's lede and the article; a bare number ("2.") numbers the steps of a
    // text. Under a headline, a lede may be shorter than a candidate or have two sentences
    // (but not be title-shaped itself: a list of headlines alone is no list of ledes). The
    // second pass only adds lines to the lists the first one found, and marks what it finds as
    // laid out as stories.
    for bridge in [false, true] {
        // Places where the row passed over dates or headlines, and such lines since its last
        // item; whether the last line was a headline passed over.
        let (mut bridged, mut dates) = (0usize, 0usize);
        let mut after_title = false;
        for (i, f) in feats.iter().enumerate() {
            if f.is_empty() {
                continue;
            }
            let loose = bridge && after_title && f.rule.is_none() && !f.linky && !f.title_like() && f.n_sentences <= 2 && f.eff_words() >= 5.0 && f.content.len() >= 3;
            after_title = false;
            if candidate(f) || loose {
                if dates > 0 && !block.is_empty() {
                    bridged += 1;
                }
                dates = 0;
                block.push(i);
            } else if bridge && f.dateline && f.rule.is_none() && dates < 2 && names_a_date(raw[i].text) {
                dates += 1;
            } else if bridge && !block.is_empty() && dates == 0 && headline_like(f) {
                dates += 1;
                after_title = true;
            } else {
                if !bridge || bridged >= 2 {
                    flush(&mut block, &mut out, 1 + u8::from(bridge));
                }
                block.clear();
                (bridged, dates) = (0, 0);
            }
        }
        if !bridge || bridged >= 2 {
            flush(&mut block, &mut out, 1 + u8::from(bridge));
        }
        block.clear();
    }
    (out.iter().map(|&v| v > 0).collect(), out.iter().map(|&v| v == 2).collect())
}

/// The lines of lists of stories printed as headline and lede pairs ("Storm hits coast" /
/// "Thousands fled the coast as the storm..."): a row of pairs, each a headline-shaped line
/// ([`headline_like`]) over a lede (prose of five words or more and at most
/// `pair_max_sentences`, two, sentences that is not headline-shaped itself, or a line cut
/// off, or the headline printed again), each pair sharing few words with the next (at most
/// `list_max_overlap`, as the items of a blurb list: each is about another story). A row is a
/// list when `pairs_min` (three) of its pairs or more are *echoed*, their headline's content
/// words recurring in the lede (`pair_min_echo`, two in five or more; never for a question,
/// which its answer echoes by nature). The list runs from its first echoed pair to its last,
/// and the pairs between may be unechoed (a headline that words its story otherwise). An
/// article's own headline and lede are one pair; its sub-heads head paragraphs that go on
/// with one story, so consecutive pairs share its names and terms, and a section is a
/// paragraph of several sentences where a story's lede has one or two (word overlap alone
/// misses the shared terms of inflected and compound words).
fn story_pairs(raw: &[RawLine<'_>], feats: &[LineFeatures], words: &[u64], t: Tuning) -> Vec<usize> {
    let n = feats.len();
    // The pair headed by line i: (headline, lede, echoed), the lede being the next non-empty
    // line.
    let pair = |i: usize| -> Option<(usize, usize, bool)> {
        let h = &feats[i];
        if h.rule.is_some() || h.linky || h.content.len() < 2 || !headline_like(h) {
            return None;
        }
        let j = neighbour(feats, i, false)?;
        let l = &feats[j];
        if l.rule.is_some() || l.linky || l.eff_words() < 5.0 || l.content.len() < 3 || l.n_sentences > t.pair_max_sentences {
            return None;
        }
        let echo = shared_count(h.content.get(words), l.content.get(words)) as f32 / h.content.len() as f32;
        // A headline-shaped lede without a sentence end is the next pair's headline, unless it
        // holds every content word of this one (the headline printed again as its lede).
        if !l.truncated && l.n_sentences == 0 && headline_like(l) && echo < 1.0 {
            return None;
        }
        // A question and its answer echo each other by nature (an FAQ, an interview): a
        // question heads no echoed pair.
        let question = raw[i].text.trim_end().ends_with(['?', '？']);
        Some((i, j, echo >= t.pair_min_echo && !question))
    };
    let mut out = Vec::new();
    let mut row: Vec<(usize, usize, bool)> = Vec::new();
    let flush = |row: &mut Vec<(usize, usize, bool)>, out: &mut Vec<usize>| {
        if row.iter().filter(|p| p.2).count() as f32 >= t.pairs_min {
            let a = row.iter().position(|p| p.2).unwrap_or(0);
            let b = row.iter().rposition(|p| p.2).unwrap_or(0);
            out.extend(row[a..=b].iter().flat_map(|&(h, l, _)| h..=l));
        }
        row.clear();
    };
    // The content words of the last pair, and of the one being read.
    let (mut prev, mut cur): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < n {
        let Some((h, l, echoed)) = pair(i) else {
            if !feats[i].is_empty() {
                flush(&mut row, &mut out);
            }
            i += 1;
            continue;
        };
        cur.clear();
        cur.extend_from_slice(feats[h].content.get(words));
        cur.extend_from_slice(feats[l].content.get(words));
        cur.sort_unstable();
        cur.dedup();
        if !row.is_empty() && shared_count(&cur, &prev) as f32 / cur.len().min(prev.len()).max(1) as f32 > t.list_max_overlap {
            flush(&mut row, &mut out);
        }
        row.push((h, l, echoed));
        std::mem::swap(&mut prev, &mut cur);
        i = l + 1;
    }
    flush(&mut row, &mut out);
    out
}

/// Could the line stand between two items of a list of stories, as a story's headline or as
/// an item cut short: a title-shaped line ([`LineFeatures::title_like`]), or one sentence at
/// most, of at most 14 words, mostly not numbers, that no rule matched and that is no link or
/// menu. So such a line may also end with a full stop or a question mark and be written in
/// sentence case ("Rail strike called off."). A bare number ("2.") is not one: it numbers the
/// steps of a text.
fn headline_like(f: &LineFeatures) -> bool {
    f.title_like() || f.rule.is_none() && !f.linky && f.eff_words() <= 14.0 && f.n_sentences <= 1 && f.n_numeric * 2 < f.n_words
}

/// Is the line, which a rule matched, still prose of the article when it stands inside the run:
/// a built-in chrome phrase (not a whole-line label, not a user rule) inside a sentence of more
/// than 25 words whose prose score stays positive with the phrase's penalty counted ("the band
/// asked for the copyright... returned", "it will be available to download"). Copyright
/// phrases are not spared: a long rights notice is chrome, however it reads.
fn prose_despite_phrase(f: &LineFeatures, hit: Hit, base: Option<f32>) -> bool {
    hit.strength == Strength::Contains
        && !matches!(hit.category, Category::User | Category::Copyright)
        && f.eff_words() > features::LONG_SENTENCE_WORDS
        && base.is_some_and(|s| s > 0.0)
}

/// Is line `i` the full form of a lede that the page also shows cut off with an ellipsis?
fn is_teaser_full_form(feats: &[LineFeatures], echo: &[Option<usize>], i: usize) -> bool {
    !feats[i].truncated && echo[i].is_some_and(|j| feats[j].truncated && feats[i].n_words > feats[j].n_words)
}

/// For each line, another line of the page that words the same thing (most of the shorter
/// line's content words in the longer one): a reworded blurb, or a lede and its cut-off copy.
fn echoes(feats: &[LineFeatures], words: &[u64]) -> Vec<Option<usize>> {
    // Lines of blurb size only: a long paragraph is neither a blurb nor a teaser's full form.
    const MIN_WORDS: usize = 6;
    const MAX_WORDS: usize = 50;
    // A word on very many lines of the page identifies no echo; skipping it keeps this
    // linear on pages of thousands of similar lines.
    const MAX_POSTINGS: usize = 32;
    let eligible = |f: &LineFeatures| (MIN_WORDS..=MAX_WORDS).contains(&f.content.len()) && f.n_sentences <= 3;
    let mut out: Vec<Option<usize>> = vec![None; feats.len()];
    let mut best = vec![0f32; feats.len()];
    let mut offer = |i: usize, j: usize, overlap: f32| {
        // Ties go to the nearest line, then the earlier one.
        let better = overlap > best[i]
            || overlap == best[i] && out[i].is_some_and(|k: usize| (j.abs_diff(i), j) < (k.abs_diff(i), k));
        if overlap >= 0.6 && better {
            best[i] = overlap;
            out[i] = Some(j);
        }
    };
    // Every pair of lines sharing words, with the number of words they share.
    features::shared_words(feats, words, eligible, MAX_POSTINGS, |a, b, shared| {
        let overlap = shared as f32 / feats[a].content.len().min(feats[b].content.len()) as f32;
        offer(a, b, overlap);
        offer(b, a, overlap);
    });
    out
}

/// Labels every line from the runs and the shapes.
fn label_lines(d: &Decoded, raw: &[RawLine<'_>]) -> Vec<(Label, &'static str)> {
    let (feats, base, in_run, echo, template) = (&d.feats, &d.base, &d.in_run, &d.echo, &d.template);
    let n = feats.len();
    let mut labels: Vec<(Label, &'static str)> = Vec::with_capacity(n);
    let mut lede_of_head = vec![false; n];
    for j in d.heads.iter().flatten() {
        lede_of_head[*j] = true;
    }
    for (i, f) in feats.iter().enumerate() {
        let blurb_shaped = f.truncated || f.sentence_like() || f.ends_terminal && f.n_words >= 3;
        let lab = if f.is_empty() {
            // With a profile every line of the run that is not template is the article's: so is
            // a mark with no words in it ("* * *", a zero-width space), its own section break. A
            // blank line is not text at all.
            if d.profiled && in_run[i] && !raw[i].text.trim().is_empty() {
                (Label::Body, "body-run")
            } else {
                (Label::Boilerplate, "empty")
            }
        } else if let Some(hit) = f.rule {
            // With a profile, a sentence inside the run that no other page of the site carries
            // is the article's, even with a chrome phrase in it.
            if in_run[i] && (d.overruled[i] && !template[i] || prose_despite_phrase(f, hit, base[i])) {
                (Label::Body, "body-run")
            } else {
                (Label::Boilerplate, hit.category.reason())
            }
        } else if d.heads[i].is_some() {
            (Label::Headline, "teaser-headline")
        } else if lede_of_head[i] {
            (Label::Teaser, if f.truncated { "truncated" } else { "blurb" })
        } else if in_run[i] {
            // Site chrome inside the run is boilerplate; a sub-head that a few of the site's
            // articles share is the article's.
            if template[i] && !f.sentence_like() && d.chrome[i] {
                (Label::Boilerplate, "site-template")
            } else if d.profiled && !d.chrome[i] || base[i].is_some_and(|s| s > TUNING.in_run_min) && !f.linky {
                (Label::Body, "body-run")
            } else {
                (Label::Boilerplate, "in-run-chrome")
            }
        } else if template[i] {
            if blurb_shaped && !d.chrome[i] {
                (Label::Teaser, "site-blurb")
            } else {
                (Label::Boilerplate, "site-template")
            }
        } else if f.truncated && f.eff_words() >= 4.0 {
            (Label::Teaser, "truncated")
        } else if f.sentence_like() || is_teaser_full_form(feats, echo, i) {
            (Label::Teaser, "blurb")
        } else {
            (Label::Boilerplate, "outside-run")
        };
        labels.push(lab);
    }
    // Blocks of template lines that are not site chrome are lists of stories. A list has one
    // layout: every item a lede, or headline and lede pairs. The layout is chosen for the whole
    // block from how its lines alternate, so a lede that happens to look like a title (a cut
    // dateline) or a headline that ends with a full stop follows its neighbours.
    let next_content = |i: usize| neighbour(feats, i, false);
    let prev_content = |i: usize| neighbour(feats, i, true);
    for block in story_blocks(d) {
        match block_layout(&block, feats, &d.heads) {
            Some(offset) => {
                // Headline, lede, headline, lede... from `offset`; a line left unpaired at
                // either end keeps the label its own shape gave it.
                for (k, &i) in block.iter().enumerate().skip(offset) {
                    if (k - offset) % 2 == 1 {
                        labels[i] = (Label::Teaser, if feats[i].truncated { "truncated" } else { "site-blurb" });
                    } else if k + 1 < block.len() {
                        labels[i] = (Label::Headline, "teaser-headline");
                    }
                }
            }
            None => {
                for &i in &block {
                    labels[i] = (Label::Teaser, if feats[i].truncated { "truncated" } else { "site-blurb" });
                }
            }
        }
    }
    // Headlines: a title-shaped line outside the runs whose next non-empty line is a teaser lede
    // or, past at most three short chrome lines (dateline, byline), the start of the article.
    for i in 0..n {
        // Site chrome (known from a profile) is never a headline.
        if in_run[i] || labels[i].0 != Label::Boilerplate || !feats[i].title_like() || d.chrome[i] {
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
        let prev = prev_content(i);
        let next = next_content(i);
        let listed = |j: Option<usize>| {
            j.is_some_and(|j| list_item(j, &snapshot) || matches!(snapshot[j].0, Label::Teaser | Label::Headline) && !in_run[j])
        };
        if listed(prev) || listed(next) {
            labels[i] = (Label::Teaser, "list-item");
        }
    }
    // A date between two items of a list of stories is an item's own ("Storm hits coast" /
    // "14.03.2024 10:32" / "Thousands flee as..."): lists of stories print each story's date, and a
    // page's own date or the site's stands above the article or in the chrome, not between
    // teasers: a date at most three lines above the article run is the page's own. At most two
    // date lines in a row (a date and a time).
    let run_start = (0..n).find(|&i| in_run[i]);
    let above_article = |i: usize| run_start.is_some_and(|s| i < s && (i + 1..s).filter(|&j| !feats[j].is_empty()).count() <= 3);
    let mut i = 0;
    while i < n {
        let is_date = |j: usize| {
            feats[j].dateline && !in_run[j] && labels[j].0 == Label::Boilerplate && feats[j].rule.is_none() && names_a_date(raw[j].text)
        };
        if !is_date(i) {
            i += 1;
            continue;
        }
        let mut dates = vec![i];
        let mut next = next_content(i);
        while let Some(j) = next.filter(|&j| is_date(j) && dates.len() < 3) {
            dates.push(j);
            next = next_content(j);
        }
        let prev = prev_content(i);
        let item = |j: Option<usize>| j.is_some_and(|j| !in_run[j] && matches!(labels[j].0, Label::Teaser | Label::Headline));
        if dates.len() <= 2 && item(prev) && item(next) && !above_article(i) {
            for &j in &dates {
                labels[j] = (Label::Teaser, "list-date");
            }
        }
        i = dates[dates.len() - 1] + 1;
    }
    labels
}

/// Is a date line (only numbers and date words) more than a bare number: has it a date word
/// ("March 14", "2 Stunden") or digits joined by a date or time separator ("14.03.2024",
/// "10:32")? A bare "3" in a list is a rank or a count, not a story's date.
fn names_a_date(text: &str) -> bool {
    let b = text.as_bytes();
    text.chars().any(char::is_alphabetic)
        || b.windows(3).any(|w| w[0].is_ascii_digit() && matches!(w[1], b'/' | b'.' | b':' | b'-') && w[2].is_ascii_digit())
}

/// The site's lists of stories on a page: runs of consecutive non-empty lines outside the
/// article run, without rule hits (but overruled ones), datelines or site chrome, that start
/// and end on template lines (lines between them that the profile does not know, a blurb
/// reworded on this page, belong to the list), extended over blurb-shaped lines just past
/// either end. Three unknown lines in a row end a list: a stretch of text the site does not
/// repeat is the page's own. Blocks of fewer than two lines are left out.
fn story_blocks(d: &Decoded) -> Vec<Vec<usize>> {
    const MAX_UNKNOWN: usize = 2;
    let feats = &d.feats;
    let member = |i: usize| !d.in_run[i] && (feats[i].rule.is_none() || d.overruled[i]) && !d.chrome[i] && !feats[i].dateline;
    let blurb_shaped = |i: usize| feats[i].truncated || feats[i].sentence_like();
    let content: Vec<usize> = (0..feats.len()).filter(|&i| !feats[i].is_empty()).collect();
    let mut out = Vec::new();
    for members in content.split(|&i| !member(i)) {
        // Split where more than `MAX_UNKNOWN` lines in a row are not template.
        let mut parts: Vec<&[usize]> = Vec::new();
        let (mut start, mut unknown) = (0, 0);
        for (k, &i) in members.iter().enumerate() {
            unknown = if d.template[i] { 0 } else { unknown + 1 };
            if unknown == MAX_UNKNOWN + 1 {
                parts.push(&members[start..k]);
                start = k;
            }
        }
        parts.push(&members[start..]);
        for segment in parts {
            let Some(first) = segment.iter().position(|&i| d.template[i]) else { continue };
            let last = segment.iter().rposition(|&i| d.template[i]).unwrap_or(first);
            let mut a = first;
            while a > 0 && blurb_shaped(segment[a - 1]) {
                a -= 1;
            }
            let mut b = last + 1;
            while b < segment.len() && blurb_shaped(segment[b]) {
                b += 1;
            }
            if b - a >= 2 {
                out.push(segment[a..b].to_vec());
            }
        }
    }
    out
}

/// How a list of stories is laid out: `Some(offset)` when its lines pair up as headline and
/// lede from position `offset` (0 or 1), `None` when every line is a lede. Each layout is
/// charged for the lines that do not fit it: a line in a lede's place that is not blurb-shaped,
/// a line in a headline's place that is not title-shaped (half for a short line with a full
/// stop), and each line a pairing leaves unpaired. The cheapest layout wins, every line a lede
/// on ties: so one lede that happens to look like a title (a cut dateline) does not turn a
/// list of ledes into pairs, and a headline with a full stop follows its neighbours.
fn block_layout(block: &[usize], feats: &[LineFeatures], heads: &[Option<usize>]) -> Option<usize> {
    let head_fit = |k: usize| {
        let f = &feats[block[k]];
        let short = !f.truncated && f.eff_words() <= 25.0;
        let heads_cut = block.get(k + 1).is_some_and(|&j| feats[j].truncated && feats[j].n_words > f.n_words);
        if heads[block[k]].is_some() || short && (heads_cut || !f.sentence_like() && (f.title_like() || !f.ends_terminal)) {
            1.0
        } else if short && !f.sentence_like() {
            0.5
        } else {
            0.0
        }
    };
    let lede_fit = |k: usize| {
        let f = &feats[block[k]];
        if f.truncated || f.sentence_like() || f.ends_terminal && f.n_words >= 3 || k > 0 && heads[block[k - 1]] == Some(block[k]) {
            1.0
        } else if f.ends_terminal {
            0.5
        } else {
            0.0
        }
    };
    let m = block.len();
    let all_ledes: f32 = (0..m).map(|k| 1.0 - lede_fit(k)).sum();
    let paired = |offset: usize| {
        let pairs = (m - offset) / 2;
        let unpaired = (m - 2 * pairs) as f32;
        let misfit: f32 = (0..pairs).map(|p| offset + 2 * p).map(|k| (1.0 - head_fit(k)) + (1.0 - lede_fit(k + 1))).sum();
        (pairs > 0).then_some(misfit + unpaired)
    };
    let mut best = (all_ledes, None);
    for offset in [0, 1] {
        if let Some(cost) = paired(offset).filter(|&c| c < best.0) {
            best = (cost, Some(offset));
        }
    }
    best.1
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
            // A story's date: neither a teaser of its own nor the end of one.
            (Label::Teaser, "list-date") => {}
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
