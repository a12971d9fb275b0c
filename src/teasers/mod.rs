//! The teaser catalogue: every story blurb of a corpus, merged across pages and wordings, and
//! linked to the document whose article it summarises.
//!
//! 1. Every page is segmented ([`crate::Segmenter`], with a site profile when given); its
//!    teasers ([`crate::Teaser`]: a headline, a lede, or both) are the catalogue's
//!    *occurrences*. A lede is kept as a *form*: its normalised text
//!    ([`crate::dedup::shingle::normalize`]) and whether it is cut off.
//! 2. Forms are grouped into stories by content-stem overlap and by word prefixes
//!    ([`cluster`]); a headline without a lede joins the story it most often heads.
//! 3. Every document's *zone* (the start of its body and the lines just above it) is scored
//!    against the forms that may summarise it ([`link`]); each story keeps its best document.
//!
//! [`catalogue`] does it all for pages in memory, segmenting each page once. For corpora that
//! do not fit, a [`Collector`] takes the pages in batches: [`Collector::add`] every batch,
//! then [`Collector::link`] every batch again (the second pass segments the pages again and
//! matches their articles against the blurbs, which are fixed from the first `link`), then
//! [`Collector::finish`]. The collector keeps the distinct forms and headlines, one small
//! record per occurrence (page, line, form, headline) and the id of each page that has a
//! teaser; never the page texts.
//!
//! The rows are the same for any thread count and any batch split. Reordering pages with
//! distinct ids changes only `first_seen`, the row order (and so `teaser_id`) and the order of
//! `pages`: forms are clustered in the order of their texts, and every choice (the text, the
//! headline, the article) is made by counts, scores and then the texts or ids themselves. (A
//! form keeps its first 16 raw spellings only; past that, which spelling shows can depend on
//! the order.)
//!
//! ```
//! use newsclean::teasers::{catalogue, DocId, Input, Options};
//! use newsclean::Segmenter;
//!
//! let article = "Home\nThe city council approved a new budget for road repairs on Monday after a long debate.\n\
//!     The mayor said the work would start in spring and last two years, funded by a bond.\n\
//!     Residents welcomed the plan at a meeting in the town hall on Tuesday evening.";
//! let other = "Home\nFishermen in the northern harbour reported record catches of herring this spring.\n\
//!     The catch was the largest since records began, the harbour master said on Friday.\n\
//!     Prices at the market fell by a third as boats returned full every day this week.\n\
//!     Read more\n\
//!     The city council approved a new budget for road repairs on Monday after a long...\n\
//!     Wildfires forced thousands of people to leave their homes in the hills above the coast.\n\
//!     A new museum of modern art opened its doors to the public in the old railway station.\n\
//!     Scientists found a new species of frog in the rain forest after a decade of searching.\n\
//!     The national football team won the cup final after extra time in a packed stadium.\n\
//!     Share this article";
//! let (a, b) = (DocId::Name("a".into()), DocId::Name("b".into()));
//! let pages = [Input { text: Some(article), site: None, id: Some(&a) }, Input { text: Some(other), site: None, id: Some(&b) }];
//! let rows = catalogue(&Segmenter::default(), &pages, None, &Options::default(), Some(1)).unwrap();
//! let budget = rows.iter().find(|r| r.text.as_deref().is_some_and(|t| t.starts_with("The city council"))).unwrap();
//! assert_eq!(budget.article, Some(a));
//! assert_eq!(budget.pages, vec![(b, 5)]);
//! assert!(budget.truncated);
//! ```

pub mod cluster;
pub mod extract;
pub mod link;

use std::collections::HashMap;

use crate::error::Error;
use crate::parallel;
use crate::profile::Profile;
use crate::segment::Segmenter;
use crate::text::{fnv1a, HashMapU64};

use cluster::Prepared;
use extract::{Item, Zone};
use link::LinkIndex;

/// Thresholds of the catalogue. The defaults were set on a simulated crawl and checked on
/// another one made with a different seed (see the README's figures).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Two forms are one story when the stem weight they share is at least this share of the
    /// lighter form's weight.
    pub pair_threshold: f64,
    /// A document is a story's article when one of the story's forms scores at least this
    /// against it ([`link`]).
    pub link_threshold: f64,
    /// Forms with fewer content stems are matched only by their words (as a prefix, or a
    /// whole line), never by content overlap.
    pub min_stems: usize,
    /// Two forms that open with this many equal words ...
    pub opening_words: usize,
    /// ... are one story when they share this share of the lighter form's stem weight.
    pub opening_threshold: f64,
    /// Two forms must share at least this many stems to be one story by content.
    pub min_shared: usize,
    /// Characters of a word that make its stem.
    pub stem_chars: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { pair_threshold: 0.8, opening_words: 8, opening_threshold: 0.4, link_threshold: 0.75, min_stems: 3, min_shared: 3, stem_chars: 5 }
    }
}

impl Options {
    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |name: &'static str, message: String| Err(Error::InvalidOption { name, message });
        if !(self.pair_threshold > 0.0 && self.pair_threshold <= 1.0) {
            return bad("pair_threshold", format!("must be in (0, 1], got {}", self.pair_threshold));
        }
        if !(self.opening_threshold > 0.0 && self.opening_threshold <= 1.0) {
            return bad("opening_threshold", format!("must be in (0, 1], got {}", self.opening_threshold));
        }
        if self.opening_words == 0 {
            return bad("opening_words", "must be at least 1".into());
        }
        if !(self.link_threshold > 0.0 && self.link_threshold <= 1.0) {
            return bad("link_threshold", format!("must be in (0, 1], got {}", self.link_threshold));
        }
        if self.min_shared == 0 {
            return bad("min_shared", "must be at least 1".into());
        }
        if self.stem_chars == 0 {
            return bad("stem_chars", "must be at least 1".into());
        }
        Ok(())
    }
}

/// A page's id: the caller's number or name, or, when none is given, the page's position in
/// its pass (0, 1, 2, … over every batch of that pass).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocId {
    /// A number.
    Number(i64),
    /// A name.
    Name(String),
}

/// One input page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input<'a> {
    /// The page, one block per line (`None`: no page, nothing is taken from it).
    pub text: Option<&'a str>,
    /// Its site, for the profile.
    pub site: Option<&'a str>,
    /// Its id (`None`: its position in the pass).
    pub id: Option<&'a DocId>,
}

/// One distinct story blurb.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Position of the row: rows are ordered by `first_seen`, then the line.
    pub teaser_id: usize,
    /// The headline the blurb most often had (ties: the smaller normalised text).
    pub headline: Option<String>,
    /// The most complete form: not cut off when any form is not, then the form on most
    /// pages, then the longest; `None` for a headline seen without a lede.
    pub text: Option<String>,
    /// Whether `text` is cut off (no full form was seen).
    pub truncated: bool,
    /// The other forms merged into it (cut-off copies and other wordings), most pages first.
    pub variants: Vec<String>,
    /// Every occurrence: the page's id and the line (the lede's, else the headline's), in
    /// input order.
    pub pages: Vec<(DocId, u32)>,
    /// Distinct pages among `pages`.
    pub n_pages: usize,
    /// Position (in the order pages were added) of the first page that shows the blurb.
    pub first_seen: u64,
    /// The document whose article the blurb summarises, if the corpus holds it.
    pub article: Option<DocId>,
    /// The score of that link, in `[link_threshold, 1]`.
    pub article_score: Option<f64>,
}

const NONE: u32 = u32::MAX;
/// Distinct raw spellings kept per normalised text (the first ones seen).
const MAX_RAWS: usize = 16;

/// Distinct texts with the raw spellings seen and their counts.
#[derive(Debug, Default)]
struct Texts {
    index: HashMapU64<Vec<u32>>,
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    norm: Box<str>,
    truncated: bool,
    count: u32,
    raws: Vec<(Box<str>, u32)>,
}

impl Entry {
    /// The most common raw spelling (ties: the smaller string).
    fn raw(&self) -> &str {
        self.raws.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map_or("", |r| &r.0)
    }
}

impl Texts {
    fn add(&mut self, norm: String, truncated: bool, raw: &str) -> u32 {
        let key = fnv1a(norm.as_bytes()) ^ u64::from(truncated);
        let ids = self.index.entry(key).or_default();
        let id = match ids.iter().copied().find(|&i| *self.entries[i as usize].norm == *norm && self.entries[i as usize].truncated == truncated) {
            Some(i) => i,
            None => {
                let i = self.entries.len() as u32;
                self.entries.push(Entry { norm: norm.into(), truncated, count: 0, raws: Vec::new() });
                ids.push(i);
                i
            }
        };
        let e = &mut self.entries[id as usize];
        e.count += 1;
        if let Some(r) = e.raws.iter_mut().find(|r| *r.0 == *raw) {
            r.1 += 1;
        } else if e.raws.len() < MAX_RAWS {
            e.raws.push((raw.into(), 1));
        }
        id
    }

    /// Entry ids in the order of their texts (then cut-off after full).
    fn sorted(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.entries.len() as u32).collect();
        ids.sort_by(|&a, &b| {
            let (x, y) = (&self.entries[a as usize], &self.entries[b as usize]);
            x.norm.cmp(&y.norm).then(x.truncated.cmp(&y.truncated))
        });
        ids
    }
}

#[derive(Debug, Clone, Copy)]
struct Occ {
    page: u32,
    line: u32,
    form: u32,
    head: u32,
}

/// A story's best document so far.
#[derive(Debug, Clone)]
struct Best {
    mean: f64,
    best: f64,
    body_chars: u64,
    id: DocId,
    seq: u64,
    /// A form with few stems matched by its words (see [`link::TINY_PREFIX_SCORE`]).
    by_words: bool,
}

impl Best {
    fn beats(&self, other: &Best) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self.mean.total_cmp(&other.mean).then(self.best.total_cmp(&other.best)).then(self.body_chars.cmp(&other.body_chars)) {
            Greater => true,
            Less => false,
            Equal => (&self.id, self.seq) < (&other.id, other.seq),
        }
    }
}

/// The stories, fixed once linking starts.
#[derive(Debug)]
struct Frozen {
    /// Form id → its position in text order.
    rank: Vec<u32>,
    /// The forms in text order.
    prepared: Vec<Prepared>,
    /// Story of each form (text order).
    form_story: Vec<u32>,
    /// Story of each headline id, for occurrences without a lede.
    head_story: Vec<u32>,
    /// Forms (text order) of each story.
    story_forms: Vec<Vec<u32>>,
    /// Occurrences of each form (text order).
    counts: Vec<u32>,
    /// Occurrences of the forms of each story that take part in linking.
    story_weight: Vec<f64>,
    index: LinkIndex,
    best: Vec<Option<Best>>,
    /// Per story of short forms: the first line of the first article they matched...
    word_key: Vec<Option<u64>>,
    /// ... and whether an article with another first line matched too (then none links).
    word_ambiguous: Vec<bool>,
}

/// Builds a catalogue from batches of pages (see the module docs for the two passes).
#[derive(Debug)]
pub struct Collector {
    opts: Options,
    forms: Texts,
    heads: Texts,
    occs: Vec<Occ>,
    /// Id and position of every page with a teaser.
    pages: Vec<(DocId, u64)>,
    added: u64,
    linked: u64,
    frozen: Option<Frozen>,
}

/// What segmenting one page gave.
type Extracted = Option<(Vec<Item>, Option<Zone>)>;

impl Collector {
    /// An empty catalogue.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for bad options.
    pub fn new(opts: Options) -> Result<Self, Error> {
        opts.validate()?;
        Ok(Self { opts, forms: Texts::default(), heads: Texts::default(), occs: Vec::new(), pages: Vec::new(), added: 0, linked: 0, frozen: None })
    }

    /// Pages added so far.
    #[must_use]
    pub fn pages_added(&self) -> u64 {
        self.added
    }

    /// Pages linked so far.
    #[must_use]
    pub fn pages_linked(&self) -> u64 {
        self.linked
    }

    /// Whether linking has started (no more pages can be added).
    #[must_use]
    pub fn is_linking(&self) -> bool {
        self.frozen.is_some()
    }

    /// Distinct lede forms so far.
    #[must_use]
    pub fn n_forms(&self) -> usize {
        self.forms.entries.len()
    }

    /// Occurrences so far.
    #[must_use]
    pub fn n_occurrences(&self) -> usize {
        self.occs.len()
    }

    fn segment_all(
        &self,
        seg: &Segmenter,
        pages: &[Input<'_>],
        profile: Option<&Profile>,
        threads: Option<usize>,
        want_zone: bool,
    ) -> Result<Vec<Extracted>, Error> {
        let opts = &self.opts;
        parallel::map(pages, threads, |p| {
            let text = p.text?;
            let sp = profile.and_then(|pr| pr.site(p.site));
            let page = seg.segment_with(text, sp);
            let (mut items, zone) = extract::page_items(text, &page, opts, want_zone);
            items.iter_mut().for_each(Item::normalize);
            Some((items, zone))
        })
    }

    fn check_open(&self) -> Result<(), Error> {
        if self.frozen.is_some() {
            return Err(Error::InvalidOption {
                name: "texts",
                message: "pages cannot be added once linking has started: add every page, then link them".into(),
            });
        }
        Ok(())
    }

    fn record(&mut self, pages: &[Input<'_>], extracted: &[Extracted]) -> Result<(), Error> {
        let items: usize = extracted.iter().flatten().map(|(items, _)| items.len()).sum();
        if self.pages.len() + pages.len() >= NONE as usize || self.forms.entries.len().max(self.heads.entries.len()) + items >= NONE as usize {
            return Err(Error::InvalidOption { name: "texts", message: "more than 4 billion pages or distinct blurbs".into() });
        }
        for (i, (p, e)) in pages.iter().zip(extracted).enumerate() {
            let seq = self.added + i as u64;
            let Some((items, _)) = e else { continue };
            if items.is_empty() {
                continue;
            }
            let page = self.pages.len() as u32;
            self.pages.push((p.id.cloned().unwrap_or(DocId::Number(seq as i64)), seq));
            for it in items {
                let norm_of = |raw: &str, which: fn(&(String, String)) -> &String| {
                    it.norms.as_ref().map_or_else(|| crate::dedup::shingle::normalize(raw), |n| which(n).clone())
                };
                let form = it.lede.as_deref().map_or(NONE, |raw| {
                    let norm = norm_of(raw, |n| &n.1);
                    if norm.is_empty() {
                        NONE
                    } else {
                        self.forms.add(norm, crate::segment::features::is_cut_off(raw), raw)
                    }
                });
                let head = it.head.as_deref().map_or(NONE, |raw| {
                    let norm = norm_of(raw, |n| &n.0);
                    if norm.is_empty() {
                        NONE
                    } else {
                        self.heads.add(norm, false, raw)
                    }
                });
                if form != NONE || head != NONE {
                    self.occs.push(Occ { page, line: it.line, form, head });
                }
            }
        }
        self.added += pages.len() as u64;
        Ok(())
    }

    /// Adds a batch of pages: their teasers join the catalogue.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] once [`Collector::link`] has been called, past 4 billion pages
    /// or distinct blurbs, or for a bad thread count.
    pub fn add(&mut self, seg: &Segmenter, pages: &[Input<'_>], profile: Option<&Profile>, threads: Option<usize>) -> Result<(), Error> {
        self.check_open()?;
        let extracted = self.segment_all(seg, pages, profile, threads, false)?;
        self.record(pages, &extracted)
    }

    /// Matches a batch of pages, as documents, against the blurbs: each story keeps its best
    /// article so far. The first call fixes the stories; [`Collector::add`] is refused after it.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a bad thread count.
    pub fn link(&mut self, seg: &Segmenter, pages: &[Input<'_>], profile: Option<&Profile>, threads: Option<usize>) -> Result<(), Error> {
        self.freeze(threads)?;
        let extracted = self.segment_all(seg, pages, profile, threads, true)?;
        let zones: Vec<Option<&Zone>> = extracted.iter().map(|e| e.as_ref().and_then(|(_, z)| z.as_ref())).collect();
        self.link_zones(pages, &zones, threads)
    }

    fn link_zones(&mut self, pages: &[Input<'_>], zones: &[Option<&Zone>], threads: Option<usize>) -> Result<(), Error> {
        let base = self.linked;
        self.linked += pages.len() as u64;
        let Some(fr) = self.frozen.as_mut() else { return Ok(()) };
        let opts = &self.opts;
        let offers = {
            let fr: &Frozen = fr;
            parallel::map(zones, threads, |z| z.map(|z| offers(fr, z, opts)).unwrap_or_default())?
        };
        for (i, (list, z)) in offers.into_iter().zip(zones).enumerate() {
            let Some(z) = z else { continue };
            let seq = base + i as u64;
            let id = pages[i].id.cloned().unwrap_or(DocId::Number(seq as i64));
            for o in list {
                if let Some(h) = o.word_key {
                    let first = fr.word_key[o.story as usize].get_or_insert(h);
                    if *first != h {
                        fr.word_ambiguous[o.story as usize] = true;
                    }
                }
                let cand = Best { mean: o.mean, best: o.best, body_chars: z.body_chars, id: id.clone(), seq, by_words: o.word_key.is_some() };
                let slot = &mut fr.best[o.story as usize];
                if slot.as_ref().map_or(true, |b| cand.beats(b)) {
                    *slot = Some(cand);
                }
            }
        }
        Ok(())
    }

    fn freeze(&mut self, threads: Option<usize>) -> Result<(), Error> {
        if self.frozen.is_none() {
            self.frozen = Some(self.build(threads)?);
        }
        Ok(())
    }

    /// Clusters the forms and indexes them for linking.
    fn build(&self, threads: Option<usize>) -> Result<Frozen, Error> {
        let opts = &self.opts;
        let order = self.forms.sorted();
        let mut rank = vec![0u32; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let entries = &self.forms.entries;
        let mut prepared = parallel::map(&order, threads, |&id| {
            let e = &entries[id as usize];
            Prepared::new(&e.norm, e.truncated, opts)
        })?;
        // In the crate's pool: rayon's global pool deadlocks a process forked after using it.
        parallel::install(threads, || cluster::weigh(&mut prepared))?;
        let roots = cluster::cluster_forms(&prepared, opts, threads)?;
        // Stories numbered in the order of their first form's text.
        let mut story_of_root: HashMap<u32, u32> = HashMap::new();
        let mut story_forms: Vec<Vec<u32>> = Vec::new();
        let mut form_story = vec![0u32; prepared.len()];
        for (f, &r) in roots.iter().enumerate() {
            let s = *story_of_root.entry(r).or_insert_with(|| {
                story_forms.push(Vec::new());
                (story_forms.len() - 1) as u32
            });
            form_story[f] = s;
            story_forms[s as usize].push(f as u32);
        }
        // Headlines seen without a lede join the story they head most often; others are
        // stories of their own (in the order of their text).
        let mut head_counts: HashMap<u32, HashMap<u32, u32>> = HashMap::new();
        for o in &self.occs {
            if o.form != NONE && o.head != NONE {
                let s = form_story[rank[o.form as usize] as usize];
                *head_counts.entry(o.head).or_default().entry(s).or_insert(0) += 1;
            }
        }
        let mut head_story = vec![NONE; self.heads.entries.len()];
        for h in self.heads.sorted() {
            head_story[h as usize] = match head_counts.get(&h) {
                Some(c) => c.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map_or(NONE, |(&s, _)| s),
                None => {
                    story_forms.push(Vec::new());
                    (story_forms.len() - 1) as u32
                }
            };
        }
        // A story with forms of enough stems is linked by those only: its forms of one or two
        // words are fragments.
        let counts: Vec<u32> = order.iter().map(|&id| entries[id as usize].count).collect();
        let mut counted = vec![false; prepared.len()];
        let mut story_weight = vec![0.0; story_forms.len()];
        for (s, forms) in story_forms.iter().enumerate() {
            let any_big = forms.iter().any(|&f| !prepared[f as usize].tiny(opts));
            for &f in forms {
                if !any_big || !prepared[f as usize].tiny(opts) {
                    counted[f as usize] = true;
                    story_weight[s] += f64::from(counts[f as usize]);
                }
            }
        }
        let index = LinkIndex::new(&prepared, &counted, opts);
        let n = story_forms.len();
        Ok(Frozen {
            rank,
            prepared,
            form_story,
            head_story,
            story_forms,
            counts,
            story_weight,
            index,
            best: vec![None; n],
            word_key: vec![None; n],
            word_ambiguous: vec![false; n],
        })
    }

    /// The catalogue as it stands: one row per story (no article links before
    /// [`Collector::link`]).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a bad thread count.
    pub fn finish(&self, threads: Option<usize>) -> Result<Vec<Row>, Error> {
        let built;
        let fr = match &self.frozen {
            Some(f) => f,
            None => {
                built = self.build(threads)?;
                &built
            }
        };
        Ok(self.rows(fr))
    }

    fn rows(&self, fr: &Frozen) -> Vec<Row> {
        let n_stories = fr.story_forms.len();
        let best: Vec<Option<&Best>> = (0..n_stories).map(|s| fr.best[s].as_ref().filter(|b| !(b.by_words && fr.word_ambiguous[s]))).collect();
        let mut story_occs: Vec<Vec<u32>> = vec![Vec::new(); n_stories];
        for (k, o) in self.occs.iter().enumerate() {
            let s = if o.form != NONE { fr.form_story[fr.rank[o.form as usize] as usize] } else { fr.head_story[o.head as usize] };
            // A page never teases itself: an occurrence on the story's own article page is
            // the page's lede or standfirst, not a blurb.
            if best[s as usize].is_some_and(|b| b.id == self.pages[o.page as usize].0) {
                continue;
            }
            story_occs[s as usize].push(k as u32);
        }
        let entries = &self.forms.entries;
        let order = self.forms.sorted();
        let mut rows: Vec<(u64, u32, Row)> = Vec::new();
        for (s, occs) in story_occs.iter().enumerate() {
            let Some(&first) = occs.first() else { continue };
            let mut forms: Vec<&Entry> = fr.story_forms[s].iter().map(|&f| &entries[order[f as usize] as usize]).collect();
            forms.sort_by(|a, b| {
                a.truncated
                    .cmp(&b.truncated)
                    .then(b.count.cmp(&a.count))
                    .then(b.norm.chars().count().cmp(&a.norm.chars().count()))
                    .then(a.norm.cmp(&b.norm))
            });
            let mut heads: HashMap<u32, u32> = HashMap::new();
            for &k in occs {
                let h = self.occs[k as usize].head;
                if h != NONE {
                    *heads.entry(h).or_insert(0) += 1;
                }
            }
            let head = heads
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(self.heads.entries[*b.0 as usize].norm.cmp(&self.heads.entries[*a.0 as usize].norm)))
                .map(|(&h, _)| self.heads.entries[h as usize].raw().to_string());
            let pages: Vec<(DocId, u32)> = occs.iter().map(|&k| {
                let o = &self.occs[k as usize];
                (self.pages[o.page as usize].0.clone(), o.line)
            }).collect();
            let mut distinct: Vec<u32> = occs.iter().map(|&k| self.occs[k as usize].page).collect();
            distinct.dedup();
            distinct.sort_unstable();
            distinct.dedup();
            let o = &self.occs[first as usize];
            let first_seen = self.pages[o.page as usize].1;
            let best = best[s];
            rows.push((first_seen, o.line, Row {
                teaser_id: 0,
                headline: head,
                text: forms.first().map(|e| e.raw().to_string()),
                truncated: forms.first().is_some_and(|e| e.truncated),
                variants: forms.iter().skip(1).map(|e| e.raw().to_string()).collect(),
                pages,
                n_pages: distinct.len(),
                first_seen,
                article: best.map(|b| b.id.clone()),
                article_score: best.map(|b| b.best),
            }));
        }
        rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        rows.into_iter()
            .enumerate()
            .map(|(i, (_, _, mut r))| {
                r.teaser_id = i;
                r
            })
            .collect()
    }
}

/// A document offered to a story.
#[derive(Debug, Clone, Copy)]
struct Offer {
    story: u32,
    /// Score weighted by the forms' occurrences.
    mean: f64,
    /// The best form's score.
    best: f64,
    /// For a story of short forms: the key of the article they matched.
    word_key: Option<u64>,
}

/// The stories a zone is offered to: those whose best form reaches the threshold.
fn offers(fr: &Frozen, zone: &Zone, opts: &Options) -> Vec<Offer> {
    let mut scored: Vec<(u32, f64, u32, Option<u64>)> = Vec::new();
    let view = link::ZoneView::new(zone);
    for f in fr.index.candidates(zone) {
        let (score, line) = link::form_score(&fr.prepared[f as usize], &view, opts);
        if score > 0.0 {
            scored.push((fr.form_story[f as usize], score, fr.counts[f as usize], line));
        }
    }
    scored.sort_by_key(|x| x.0);
    let mut out = Vec::new();
    for group in scored.chunk_by(|a, b| a.0 == b.0) {
        let story = group[0].0;
        let best = group.iter().map(|x| x.1).fold(0.0, f64::max);
        if best >= opts.link_threshold - 1e-12 {
            let mean = group.iter().map(|x| f64::from(x.2) * x.1).sum::<f64>() / fr.story_weight[story as usize].max(1.0);
            let word_key = group.iter().find_map(|x| x.3);
            out.push(Offer { story, mean, best, word_key });
        }
    }
    out
}

/// Builds the catalogue of pages held in memory, segmenting each page once.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options or thread count.
pub fn catalogue(seg: &Segmenter, pages: &[Input<'_>], profile: Option<&Profile>, opts: &Options, threads: Option<usize>) -> Result<Vec<Row>, Error> {
    let mut c = Collector::new(opts.clone())?;
    let extracted = c.segment_all(seg, pages, profile, threads, true)?;
    c.record(pages, &extracted)?;
    c.freeze(threads)?;
    let zones: Vec<Option<&Zone>> = extracted.iter().map(|e| e.as_ref().and_then(|(_, z)| z.as_ref())).collect();
    c.link_zones(pages, &zones, threads)?;
    c.finish(threads)
}

#[cfg(test)]
mod tests;
