//! Line splitting, tokenisation and the small lexical tables the segmenter reads.
//!
//! Lines are split on `'\n'` only, so `page.lines[i]` is always `text.split("\n")[i]` in
//! Python; a `'\r'` just before the `'\n'` belongs to the line break, not to the line's text.
//! Offsets are counted in Unicode code points, as Python indexes a `str`.

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// One line of the input: its text (without the line break) and its spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLine<'a> {
    /// The line's text, without its line break (`"\n"` or `"\r\n"`).
    pub text: &'a str,
    /// Code-point offset of the line's first character.
    pub start: usize,
    /// Code-point offset just past the line's break (or the end of the input for the last
    /// line), so consecutive lines' `start..end` spans partition the input exactly.
    pub end: usize,
}

/// Splits `text` into lines on `'\n'`, with code-point spans that cover the whole input.
///
/// The number of lines is always `text.split('\n').count()` (an empty input is one empty line).
#[must_use]
pub fn split_lines(text: &str) -> Vec<RawLine<'_>> {
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut pos_chars = 0usize;
    let mut rest = text;
    loop {
        let (line, brk, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], 1usize, Some(&rest[i + 1..])),
            None => (rest, 0, None),
        };
        // "\r\n" is one line break; a "\r" ending the input is taken as a line end too.
        let (content, cr) = match line.strip_suffix('\r') {
            Some(c) => (c, 1usize),
            None => (line, 0),
        };
        let n = char_count(content);
        let end = pos_chars + n + cr + brk;
        out.push(RawLine { text: content, start: pos_chars, end });
        pos_chars = end;
        match next {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// `s.trim()`, with the ASCII ends stripped byte by byte first: only a non-ASCII character at
/// either end needs the standard library's Unicode white space test.
#[must_use]
#[inline]
pub fn trim_ws(s: &str) -> &str {
    // The ASCII characters with the Unicode White_Space property (`char::is_whitespace`);
    // unlike `u8::is_ascii_whitespace`, it includes the vertical tab.
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && ws(b[i]) {
        i += 1;
    }
    let mut j = b.len();
    while j > i && ws(b[j - 1]) {
        j -= 1;
    }
    // Only ASCII bytes were stripped, so i and j are character boundaries.
    let mid = &s[i..j];
    match (mid.as_bytes().first(), mid.as_bytes().last()) {
        (Some(&x), Some(&y)) if x >= 0x80 || y >= 0x80 => mid.trim(),
        _ => mid,
    }
}

/// Number of Unicode scalar values in `s` (fast path for ASCII).
#[must_use]
pub fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        // Count the bytes that start a UTF-8 sequence: all but the continuation bytes
        // (0b10xx_xxxx), counted eight at a time.
        let bytes = s.as_bytes();
        let mut chunks = bytes.chunks_exact(8);
        let mut continuation = 0usize;
        for c in &mut chunks {
            let x = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            continuation += (x & !(x << 1) & 0x8080_8080_8080_8080).count_ones() as usize;
        }
        continuation += chunks.remainder().iter().filter(|&&b| b & 0xC0 == 0x80).count();
        bytes.len() - continuation
    }
}

/// Is `c` a character of a script written without spaces between words?
#[must_use]
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0x0E00..=0x0E7F // Thai
        | 0x0E80..=0x0EFF // Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
    )
}

/// The Unicode properties of a character that the line scan reads, looked up once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CharInfo {
    /// `char::is_alphanumeric`.
    pub alnum: bool,
    /// `char::is_alphabetic`.
    pub alpha: bool,
    /// `char::is_uppercase`.
    pub upper: bool,
    /// `char::is_lowercase`.
    pub lower: bool,
    /// `char::is_numeric`.
    pub numeric: bool,
    /// [`is_unspaced_script`].
    pub unspaced: bool,
    /// `char::to_lowercase` when that is one character (`None`: several).
    pub lowercase: Option<char>,
    /// Is `lowercase` an alphanumeric character (`false` when it is `None`)?
    pub lower_alnum: bool,
}

impl CharInfo {
    /// The properties of `c`, computed.
    #[must_use]
    pub fn compute(c: char) -> Self {
        let mut low = c.to_lowercase();
        let lowercase = match (low.next(), low.next()) {
            (Some(l), None) => Some(l),
            _ => None,
        };
        Self {
            alnum: c.is_alphanumeric(),
            alpha: c.is_alphabetic(),
            upper: c.is_uppercase(),
            lower: c.is_lowercase(),
            numeric: c.is_numeric(),
            unspaced: is_unspaced_script(c),
            lowercase,
            lower_alnum: lowercase.is_some_and(char::is_alphanumeric),
        }
    }

    /// The properties of `c`: from a table for the two-byte UTF-8 range (Latin, Greek,
    /// Cyrillic, Hebrew, Arabic...), constant for the General Punctuation block (quotes,
    /// dashes, ellipsis), the CJK ideographs and the Hangul syllables, computed for others.
    #[inline]
    #[must_use]
    pub fn of(c: char) -> Self {
        static TABLE: OnceLock<Vec<CharInfo>> = OnceLock::new();
        let u = c as u32;
        if u < 0x800 {
            let table = TABLE.get_or_init(|| (0..0x800).map(|u| Self::compute(char::from_u32(u).unwrap_or('\0'))).collect());
            table[u as usize]
        } else if (0x2000..=0x206F).contains(&u) {
            // General Punctuation: spaces, dashes, quotes, bullets, format characters; no
            // letter, digit or cased character (a unit test checks every one).
            Self { alnum: false, alpha: false, upper: false, lower: false, numeric: false, unspaced: false, lowercase: Some(c), lower_alnum: false }
        } else if (0x4E00..=0x9FFF).contains(&u) || (0xAC00..=0xD7A3).contains(&u) {
            // CJK unified ideographs and Hangul syllables: uncased letters, one word each for
            // the ideographs (a unit test checks every one).
            Self { alnum: true, alpha: true, upper: false, lower: false, numeric: false, unspaced: u <= 0x9FFF, lowercase: Some(c), lower_alnum: true }
        } else {
            Self::cached(c)
        }
    }

    /// [`CharInfo::compute`] through a small per-thread cache (a page in a script outside the
    /// table repeats its few dozen letters; computing one takes about 2,000 instructions).
    fn cached(c: char) -> Self {
        const SLOTS: usize = 64;
        thread_local! {
            static CACHE: std::cell::RefCell<[Option<(char, CharInfo)>; SLOTS]> = const { std::cell::RefCell::new([None; SLOTS]) };
        }
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let slot = &mut cache[c as usize % SLOTS];
            match *slot {
                Some((k, info)) if k == c => info,
                _ => {
                    let info = Self::compute(c);
                    *slot = Some((c, info));
                    info
                }
            }
        })
    }
}

/// A hasher for keys that are already hashes (the `u64` word hashes): passes them through.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A `HashMap` keyed by word hashes.
pub type HashMapU64<V> = std::collections::HashMap<u64, V, BuildHasherDefault<IdHasher>>;
/// A `HashSet` of word hashes.
pub type HashSetU64 = std::collections::HashSet<u64, BuildHasherDefault<IdHasher>>;

/// Spreads the bits of a hash (FNV-1a's high bits depend on few input bits for short keys)
/// before its high bits index a table.
#[inline]
#[must_use]
pub(crate) fn mix(h: u64) -> u64 {
    (h ^ (h >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// 64-bit FNV-1a over bytes; small and fast for the short keys hashed here.
#[inline]
#[must_use]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Function words of the languages the built-in rules cover (en, de, fr, es, pt, it, nl, ru,
/// tr, id, pl, sv): the share of them in a line is a strong sign of running prose.
const STOPWORDS: &str = "\
a an the and or but if of to in on at by for with from as into onto about over after before \
is are was were be been being has have had do does did will would shall should can could may \
might must not no it its it's this that these those he she they we you i his her their our your \
my him them us who whom which what when where while than then there here also just so such \
very more most other some any all each both only own same too up out off again further once \
said says say according because since until though although whether during through against \
between among under without within upon per via \
der die das den dem des ein eine einen einem einer eines und oder aber nicht ist sind war waren \
wird werden wurde wurden hat haben hatte auch auf aus bei mit nach von vor zu zum zur im ins am \
an als wie wenn dass sich es er sie wir ihr ich man noch nur schon mehr sehr über unter durch \
für gegen ohne um bis seit so dieser diese dieses jetzt hier dort \
le la les un une des du de et ou mais ne pas est sont était être été a ont avait au aux avec \
pour par sur dans en ce cette ces il elle ils elles nous vous je qui que quoi dont où plus \
très aussi comme si son sa ses leur leurs se sans sous entre après avant selon \
el los las unos unas y o pero no es son era fue ser sido ha han había con para por sobre en \
este esta estos estas ese esa lo le les que quien cual como más muy también si su sus se sin \
entre según desde hasta cuando donde al del \
os as um uma uns umas e ou mas não é são era foi ser sido tem têm com para por sobre em no na \
nos nas este esta isso isto ele ela eles elas que quem como mais muito também se seu sua seus \
suas sem entre segundo desde até quando onde ao do da dos das pelo pela \
il lo gli una uno di da dei delle della del nel nella con per su tra fra che chi non sono \
era stato essere ha hanno anche come più molto se suo sua loro si senza dopo prima \
de het een en of maar niet is zijn was waren wordt worden heeft hebben ook op uit bij met naar \
van voor te om dat die dit deze als hoe wanneer er hij zij wij ik je men nog al meer \
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне \
было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него \
до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы \
тебя их чем была сам чтобы без будто чего раз тоже себе под будет ж тогда кто этот того потому \
этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех \
никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них \
какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя \
такой им более всегда конечно всю между это также \
ve ile bir bu da de için gibi daha çok olan olarak ama ancak ise en ki ne her şu o ya veya \
değil sonra kadar göre olduğu ile bu yüzden \
yang dan di ke dari ini itu dengan untuk dalam tidak akan pada juga oleh sebagai adalah ada \
telah sudah atau karena \
i w z na do nie że się jest to jak po od za o ale przez dla są tak jego jej ich być \
och att det som en på är av för med till den har de inte om ett var jag han hon vi";

/// Month and weekday names (en, de, fr, es, pt, it, in full and abbreviated), and the small
/// words of a date or time ("at", "am", "pm", "um", "uhr"), lower case.
const DATE_WORDS: &[&str] = &[
        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
        "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thursday", "fri", "friday",
        "sat", "saturday", "sun", "sunday", "at", "am", "pm", "est", "edt", "pst", "pdt", "gmt", "utc", "cet",
        "updated", "published", "posted", "on", "et", "de", "um", "uhr", "januar", "februar", "märz", "mai",
        "juni", "juli", "oktober", "dezember", "janvier", "février", "mars", "avril", "juin", "juillet",
        "août", "septembre", "octobre", "novembre", "décembre", "enero", "febrero", "marzo", "abril", "mayo",
        "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre", "janeiro", "fevereiro",
        "março", "maio", "junho", "julho", "setembro", "outubro", "dezembro", "gennaio", "febbraio", "aprile",
        "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
];

/// Class bit of a stopword in [`word_class`].
pub(crate) const WORD_STOP: u8 = 1;
/// Class bit of a date word in [`word_class`].
pub(crate) const WORD_DATE: u8 = 2;

/// The classes of the word whose lower-cased UTF-8 hashes ([`fnv1a`]) to `hash`: a bit set of
/// [`WORD_STOP`] and [`WORD_DATE`], 0 for any other word. Lookups need no string.
#[inline]
#[must_use]
pub(crate) fn word_class(hash: u64) -> u8 {
    /// Open addressing, linear probing, at most a quarter full: (hash, classes) slots, hash 0
    /// for an empty slot (no word of the tables hashes to 0; checked when building).
    static TABLE: OnceLock<Vec<(u64, u8)>> = OnceLock::new();
    const BITS: u32 = 12;
    // FNV-1a's high bits are poorly mixed for short words: mix before taking them.
    let slot = |h: u64| (mix(h) >> (64 - BITS)) as usize;
    let table = TABLE.get_or_init(|| {
        let mut class: Vec<(u64, u8)> = Vec::new();
        let mut add = |w: &str, bit: u8| {
            let h = fnv1a(w.as_bytes());
            match class.iter_mut().find(|(k, _)| *k == h) {
                Some(e) => e.1 |= bit,
                None => class.push((h, bit)),
            }
        };
        for w in STOPWORDS.split_whitespace() {
            add(w, WORD_STOP);
        }
        for w in DATE_WORDS {
            add(w, WORD_DATE);
        }
        assert!(class.len() * 4 <= 1 << BITS && class.iter().all(|&(h, _)| h != 0), "word table too full");
        let mut table = vec![(0u64, 0u8); 1 << BITS];
        for (h, c) in class {
            let mut i = slot(h);
            while table[i].0 != 0 {
                i = (i + 1) & ((1 << BITS) - 1);
            }
            table[i] = (h, c);
        }
        table
    });
    let mut i = slot(hash);
    loop {
        let (h, c) = table[i];
        if h == hash {
            return c;
        }
        if h == 0 {
            return 0;
        }
        i = (i + 1) & ((1 << BITS) - 1);
    }
}

/// Is `lower` (an already lower-cased word) a function word of a covered language?
#[must_use]
pub fn is_stopword(lower: &str) -> bool {
    word_class(fnv1a(lower.as_bytes())) & WORD_STOP != 0
}

/// Lower-cases `word` into `buf` (cleared first) and returns it.
pub fn lower_into<'b>(word: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        for c in word.chars() {
            if c.is_ascii() {
                buf.push(c.to_ascii_lowercase());
                continue;
            }
            match CharInfo::of(c).lowercase {
                Some(l) => buf.push(l),
                None => buf.extend(c.to_lowercase()),
            }
        }
    }
    buf.as_str()
}

/// Calls `f` with every word of `line`: maximal runs of alphanumeric characters, keeping
/// apostrophes and hyphens between letters. Characters of unspaced scripts are one word each.
pub fn for_each_word<'a>(line: &'a str, mut f: impl FnMut(&'a str)) {
    let mut start: Option<usize> = None;
    let mut iter = line.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c.is_alphanumeric() {
            if is_unspaced_script(c) {
                if let Some(s) = start.take() {
                    f(&line[s..i]);
                }
                f(&line[i..i + c.len_utf8()]);
            } else if start.is_none() {
                start = Some(i);
            }
        } else if matches!(c, '\'' | '’' | '-') && start.is_some() {
            // Keep "don't" and "well-known" whole when a letter follows.
            if !iter.peek().is_some_and(|&(_, n)| n.is_alphanumeric() && !is_unspaced_script(n)) {
                let s = start.take().unwrap_or(i);
                f(&line[s..i]);
            }
        } else if let Some(s) = start.take() {
            f(&line[s..i]);
        }
    }
    if let Some(s) = start {
        f(&line[s..]);
    }
}

/// Calls `f` with every maximal run of alphanumeric characters of `s`.
pub fn for_each_run<'a>(s: &'a str, mut f: impl FnMut(&'a str)) {
    for run in s.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()) {
        f(run);
    }
}

/// Folds a line into its matching key: lower case, NFKC, digits to `0`, every run of
/// punctuation and white space to one space, trimmed. Two lines that differ only in case,
/// numbers, punctuation or spacing get the same key.
#[must_use]
pub fn fold_key(line: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    let chars: Box<dyn Iterator<Item = char>> = if line.is_ascii() { Box::new(line.chars()) } else { Box::new(line.nfkc()) };
    for c in chars {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if c.is_numeric() {
                out.push('0');
            } else {
                // Lower-casing can add a mark ('İ' gives "i\u{307}"); keep only what a second
                // fold would keep, so that folding a key gives the key again.
                out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// A hash of the line's folded form without Unicode normalisation: lower case, digits to
/// `0`, every run of other characters to one space, trimmed. Cheap (no allocation); used to
/// look lines up in the built-in whole-line table, whose keys are hashed the same way.
#[must_use]
pub fn fold_hash(line: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let step = |h: u64, b: u8| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    let mut pending_space = false;
    let mut any = false;
    if line.is_ascii() {
        for &b in line.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_space && any {
                    h = step(h, b' ');
                }
                pending_space = false;
                any = true;
                h = step(h, if b.is_ascii_digit() { b'0' } else { b.to_ascii_lowercase() });
            } else {
                pending_space = true;
            }
        }
        return h;
    }
    let mut tmp = [0u8; 4];
    for c in line.chars() {
        if c.is_alphanumeric() {
            if pending_space && any {
                h = step(h, b' ');
            }
            pending_space = false;
            any = true;
            if c.is_ascii() {
                h = step(h, if c.is_ascii_digit() { b'0' } else { (c as u8).to_ascii_lowercase() });
            } else if c.is_numeric() {
                h = step(h, b'0');
            } else {
                // As in fold_key: only what a second fold would keep ('İ' gives "i").
                for lc in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                    for &b in lc.encode_utf8(&mut tmp).as_bytes() {
                        h = step(h, b);
                    }
                }
            }
        } else {
            pending_space = true;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        let mut v = Vec::new();
        for_each_word(s, |w| v.push(w));
        v
    }

    #[test]
    fn lines_partition_the_input() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "é\nñö\r\n", "x\ry\nz"] {
            let lines = split_lines(text);
            assert_eq!(lines.len(), text.split('\n').count(), "{text:?}");
            assert_eq!(lines[0].start, 0);
            for w in lines.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            assert_eq!(lines.last().unwrap().end, text.chars().count());
        }
        let lines = split_lines("ab\r\ncd");
        assert_eq!(lines[0].text, "ab");
        assert_eq!((lines[0].start, lines[0].end), (0, 4));
        assert_eq!(lines[1].text, "cd");
        // A lone CR stays inside the line.
        assert_eq!(split_lines("x\ry")[0].text, "x\ry");
    }

    #[test]
    fn char_info_table_matches_the_standard_library() {
        // Twice over a short range, so the per-thread cache answers too (hits and evictions).
        let short = (0x0900..0x0A00).chain(0x3040..0x3100);
        let all = (0..0x3000).chain(0x4DF0..0xA010).chain(0xABF0..0xD7B0).chain(0x1_F600..0x1_F610);
        for u in all.chain(short.clone()).chain(short) {
            let Some(c) = char::from_u32(u) else { continue };
            assert_eq!(CharInfo::of(c), CharInfo::compute(c), "{c:?}");
        }
        assert_eq!(CharInfo::of('İ').lowercase, None, "İ lower-cases to two characters");
        assert_eq!(CharInfo::of('Ä').lowercase, Some('ä'));
    }

    #[test]
    fn char_count_matches_std() {
        for s in ["", "abc", "héllo", "日本語", "😀x", "héllo wörld, ça va? 日本語 😀 ü", "ééééééééé", "abcdefgh€"] {
            assert_eq!(char_count(s), s.chars().count(), "{s:?}");
        }
    }

    #[test]
    fn words_split_as_documented() {
        assert_eq!(words("Don't stop, well-known U.S. 2025!"), vec!["Don't", "stop", "well-known", "U", "S", "2025"]);
        assert_eq!(words("東京 news"), vec!["東", "京", "news"]);
        assert_eq!(words("end-"), vec!["end"]);
        assert!(words("... — !").is_empty());
    }

    #[test]
    fn fold_key_folds_case_digits_punctuation() {
        assert_eq!(fold_key("  Leave the FIRST comment!! "), "leave the first comment");
        assert_eq!(fold_key("Copyright © 2023, Site"), "copyright 0000 site");
        assert_eq!(fold_key("ﬁne"), "fine");
        assert_eq!(fold_key("..."), "");
        // Lower-casing 'İ' gives "i" and a combining dot; the key keeps the letter only.
        assert_eq!(fold_key("GİRİŞ"), "giriş");
        assert_eq!(fold_key(&fold_key("İstanbul")), fold_key("İstanbul"));
    }

    #[test]
    fn fold_hash_matches_fold_key_on_normalised_text() {
        for s in ["  Leave the FIRST comment!! ", "Copyright © 2023", "a-b  c", "", "...", "Ünïcode Line", "Реклама", "GİRİŞ"] {
            assert_eq!(fold_hash(s), fnv1a(fold_key(s).as_bytes()), "{s:?}");
        }
    }

    #[test]
    fn stopwords_cover_several_languages() {
        for w in ["the", "und", "les", "los", "não", "это", "için"] {
            assert!(is_stopword(w), "{w}");
        }
        assert!(!is_stopword("kazakhstan"));
        // Every word of both tables is found with all its classes ("de" is in both).
        for w in STOPWORDS.split_whitespace() {
            assert!(word_class(fnv1a(w.as_bytes())) & WORD_STOP != 0, "{w}");
        }
        for w in DATE_WORDS {
            assert!(word_class(fnv1a(w.as_bytes())) & WORD_DATE != 0, "{w}");
        }
        assert_eq!(word_class(fnv1a(b"de")), WORD_STOP | WORD_DATE);
        assert_eq!(word_class(fnv1a(b"council")), 0);
    }
}
