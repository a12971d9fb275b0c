//! Boilerplate rules: the built-in multilingual phrase and pattern tables, and the user's own.
//!
//! Every rule belongs to a [`Category`], whose [`Category::reason`] is the stable reason code a
//! line gets when a rule decides it. Matching is linear in the line's length: phrases go through
//! one Aho-Corasick automaton, patterns through one `regex::RegexSet` (finite automata, no
//! backtracking), so hostile input cannot make it blow up.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{RegexSet, RegexSetBuilder};


use crate::error::Error;
use crate::text::{fold_hash, lower_into, trim_ws};

/// What kind of site chrome a rule recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// "Download our app", app-store badges.
    App,
    /// Newsletter sign-up, subscribe prompts.
    Newsletter,
    /// Comment prompts and counters.
    Comment,
    /// Share and follow buttons, social networks.
    Share,
    /// Cookie and consent notices, privacy links.
    Consent,
    /// "Read more", "read also", "related" link labels.
    ReadMore,
    /// Advertisement and sponsored-content labels.
    Ad,
    /// Copyright and rights notices.
    Copyright,
    /// Navigation, log-in, search and menu chrome.
    Nav,
    /// Paywall and sign-in-to-read prompts.
    Paywall,
    /// A rule the user added.
    User,
}

impl Category {
    /// The stable reason code of a line decided by a rule of this category.
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            Self::App => "rule:app",
            Self::Newsletter => "rule:newsletter",
            Self::Comment => "rule:comment",
            Self::Share => "rule:share",
            Self::Consent => "rule:consent",
            Self::ReadMore => "rule:read-more",
            Self::Ad => "rule:ad",
            Self::Copyright => "rule:copyright",
            Self::Nav => "rule:nav",
            Self::Paywall => "rule:paywall",
            Self::User => "user-rule",
        }
    }
}

/// How a rule matched a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// The whole line is a known chrome label ("Advertisement", "Share", "Read more").
    WholeLine,
    /// A chrome phrase or pattern occurs in the line.
    Contains,
}

/// A rule's verdict on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The rule's category.
    pub category: Category,
    /// Whether it matched the whole line or a part of it.
    pub strength: Strength,
}

use Category::{Ad, App, Comment, Consent, Copyright, Nav, Newsletter, Paywall, ReadMore, Share};

/// Whole-line labels (compared with the line's folded key: lower case, punctuation and digits
/// folded). Short, generic chrome words in en, es, fr, de, pt, it, ru, tr, ar, nl, pl.
const WHOLE_LINES: &[(Category, &str)] = &[
    (Ad, "advertisement"), (Ad, "advertisements"), (Ad, "advertising"), (Ad, "ad"), (Ad, "ads"),
    (Ad, "sponsored"), (Ad, "sponsored content"), (Ad, "paid content"), (Ad, "promoted"),
    (Ad, "story continues below advertisement"), (Ad, "article continues below advertisement"),
    (Ad, "continue reading below"), (Ad, "scroll to continue with content"),
    (Ad, "publicidad"), (Ad, "publicité"), (Ad, "anzeige"), (Ad, "werbung"), (Ad, "publicidade"),
    (Ad, "pubblicità"), (Ad, "реклама"), (Ad, "reklam"), (Ad, "إعلان"), (Ad, "advertentie"),
    (Ad, "reklama"), (Ad, "annonce"), (Ad, "sponsorisé"), (Ad, "patrocinado"),
    (Share, "share"), (Share, "share this"), (Share, "share this article"), (Share, "share this story"),
    (Share, "tweet"), (Share, "facebook"), (Share, "twitter"), (Share, "linkedin"), (Share, "whatsapp"),
    (Share, "pinterest"), (Share, "reddit"), (Share, "email"), (Share, "e mail"), (Share, "print"),
    (Share, "copy link"), (Share, "telegram"), (Share, "instagram"), (Share, "youtube"), (Share, "x"),
    (Share, "follow us"), (Share, "compartir"), (Share, "partager"), (Share, "teilen"),
    (Share, "compartilhar"), (Share, "condividi"), (Share, "поделиться"), (Share, "paylaş"),
    (Share, "شارك"), (Share, "delen"), (Share, "udostępnij"), (Share, "imprimir"), (Share, "drucken"),
    (Share, "imprimer"),
    (ReadMore, "read more"), (ReadMore, "read also"), (ReadMore, "see also"), (ReadMore, "related"),
    (ReadMore, "related articles"), (ReadMore, "related stories"), (ReadMore, "related news"),
    (ReadMore, "more stories"), (ReadMore, "more news"), (ReadMore, "most read"), (ReadMore, "most popular"),
    (ReadMore, "top stories"), (ReadMore, "latest news"), (ReadMore, "trending"), (ReadMore, "recommended"),
    (ReadMore, "you may also like"), (ReadMore, "you might also like"), (ReadMore, "more from"),
    (ReadMore, "continue reading"), (ReadMore, "full story"), (ReadMore, "more"),
    (ReadMore, "leer más"), (ReadMore, "lee también"), (ReadMore, "noticias relacionadas"),
    (ReadMore, "lire la suite"), (ReadMore, "lire aussi"), (ReadMore, "à lire aussi"),
    (ReadMore, "weiterlesen"), (ReadMore, "mehr zum thema"), (ReadMore, "lesen sie auch"),
    (ReadMore, "auch interessant"), (ReadMore, "das könnte sie auch interessieren"),
    (ReadMore, "leia mais"), (ReadMore, "leia também"), (ReadMore, "leggi anche"),
    (ReadMore, "leggi di più"), (ReadMore, "читайте также"), (ReadMore, "подробнее"),
    (ReadMore, "читать далее"), (ReadMore, "devamını oku"), (ReadMore, "ilgili haberler"),
    (ReadMore, "اقرأ أيضا"), (ReadMore, "اقرأ المزيد"), (ReadMore, "lees meer"), (ReadMore, "czytaj także"),
    (ReadMore, "te puede interesar"), (ReadMore, "también te puede interesar"), (ReadMore, "más noticias"),
    (ReadMore, "vous aimerez aussi"), (ReadMore, "à lire également"), (ReadMore, "sur le même sujet"),
    (ReadMore, "das könnte sie interessieren"), (ReadMore, "mehr aus der region"), (ReadMore, "weitere artikel"),
    (ReadMore, "veja também"), (ReadMore, "potrebbe interessarti"), (ReadMore, "по теме"),
    (Comment, "comments"), (Comment, "comment"), (Comment, "leave a comment"), (Comment, "leave a reply"),
    (Comment, "add comment"), (Comment, "post a comment"), (Comment, "show comments"), (Comment, "reply"),
    (Comment, "comentarios"), (Comment, "commentaires"), (Comment, "kommentare"), (Comment, "comentários"),
    (Comment, "commenti"), (Comment, "комментарии"), (Comment, "yorumlar"), (Comment, "التعليقات"),
    (Comment, "reacties"), (Comment, "komentarze"),
    (Nav, "home"), (Nav, "menu"), (Nav, "search"), (Nav, "log in"), (Nav, "login"), (Nav, "sign in"),
    (Nav, "sign up"), (Nav, "register"), (Nav, "log out"), (Nav, "close"), (Nav, "skip to content"),
    (Nav, "skip to main content"), (Nav, "back to top"), (Nav, "next"), (Nav, "previous"),
    (Nav, "next article"), (Nav, "previous article"), (Nav, "contact"), (Nav, "contact us"),
    (Nav, "about us"), (Nav, "about"), (Nav, "sitemap"), (Nav, "site map"), (Nav, "terms"),
    (Nav, "help"), (Nav, "faq"), (Nav, "careers"), (Nav, "jobs"), (Nav, "archive"), (Nav, "archives"),
    (Nav, "inicio"), (Nav, "portada"), (Nav, "buscar"), (Nav, "accueil"), (Nav, "rechercher"),
    (Nav, "startseite"), (Nav, "suche"), (Nav, "anmelden"), (Nav, "impressum"), (Nav, "kontakt"),
    (Nav, "início"), (Nav, "pesquisar"), (Nav, "cerca"), (Nav, "главная"), (Nav, "поиск"),
    (Nav, "войти"), (Nav, "ana sayfa"), (Nav, "giriş"), (Nav, "الرئيسية"), (Nav, "بحث"),
    (Newsletter, "newsletter"), (Newsletter, "newsletters"), (Newsletter, "subscribe"),
    (Newsletter, "subscribe now"), (Newsletter, "suscríbete"), (Newsletter, "abonnez vous"),
    (Newsletter, "abonnieren"), (Newsletter, "assine"), (Newsletter, "iscriviti"),
    (Newsletter, "подписаться"), (Newsletter, "abone ol"), (Newsletter, "اشترك"),
    (Consent, "accept"), (Consent, "accept all"), (Consent, "i agree"), (Consent, "agree"),
    (Consent, "reject all"), (Consent, "manage cookies"), (Consent, "cookie settings"),
    (Consent, "privacy policy"), (Consent, "cookie policy"), (Consent, "terms of use"),
    (Consent, "terms of service"), (Consent, "terms and conditions"), (Consent, "privacy"),
    (Consent, "aceptar"), (Consent, "accepter"), (Consent, "akzeptieren"), (Consent, "datenschutz"),
    (Consent, "aceitar"), (Consent, "accetta"), (Consent, "принять"), (Consent, "kabul et"),
];

/// Phrases that mark a line as chrome wherever they occur in it (whole words, lower case).
pub(crate) const PHRASES: &[(Category, &str)] = &[
    // Apps
    (App, "download the app"), (App, "download our app"), (App, "get the app"), (App, "our app"),
    (App, "app store"), (App, "google play"), (App, "for iphone and android"), (App, "für iphone und android"), (App, "play store"), (App, "download the"),
    (App, "descarga la app"), (App, "descarga nuestra app"), (App, "téléchargez l'application"),
    (App, "téléchargez notre application"), (App, "app herunterladen"), (App, "laden sie die app"),
    (App, "baixe o aplicativo"), (App, "baixe o app"), (App, "scarica l'app"),
    (App, "скачайте приложение"), (App, "скачать приложение"), (App, "uygulamayı indir"),
    (App, "حمل التطبيق"),
    // Newsletters and subscriptions
    (Newsletter, "subscribe to our newsletter"), (Newsletter, "sign up for our newsletter"),
    (Newsletter, "sign up for the"), (Newsletter, "sign up to"), (Newsletter, "newsletter"),
    (Newsletter, "subscribe to"), (Newsletter, "subscribe now"), (Newsletter, "your inbox"),
    (Newsletter, "enter your email"), (Newsletter, "unsubscribe"), (Newsletter, "no spam"), (Newsletter, "email address"), (Newsletter, "suscríbete"),
    (Newsletter, "suscribirse"), (Newsletter, "boletín"), (Newsletter, "abonnez-vous"),
    (Newsletter, "inscrivez-vous"), (Newsletter, "jetzt abonnieren"), (Newsletter, "abonnieren sie"),
    (Newsletter, "inscreva-se"), (Newsletter, "assine a"), (Newsletter, "iscriviti"),
    (Newsletter, "подпишитесь"), (Newsletter, "рассылк"), (Newsletter, "abone ol"),
    (Newsletter, "bültenimize"), (Newsletter, "اشترك في"), (Newsletter, "النشرة"),
    // Comments
    (Comment, "leave a comment"), (Comment, "leave the first comment"), (Comment, "post a comment"),
    (Comment, "add a comment"), (Comment, "be the first to comment"), (Comment, "what is your opinion"),
    (Comment, "what do you think"), (Comment, "share your thoughts"), (Comment, "join the conversation"),
    (Comment, "join the discussion"), (Comment, "view comments"), (Comment, "show comments"),
    (Comment, "comments are closed"), (Comment, "deja un comentario"),
    (Comment, "deja tu comentario"), (Comment, "laisser un commentaire"), (Comment, "laissez un commentaire"),
    (Comment, "kommentar schreiben"), (Comment, "kommentar verfassen"), (Comment, "deixe seu comentário"),
    (Comment, "deixe um comentário"), (Comment, "lascia un commento"), (Comment, "оставьте комментарий"),
    (Comment, "оставить комментарий"), (Comment, "yorum yap"), (Comment, "ilk yorumu"),
    (Comment, "اترك تعليقا"), (Comment, "أضف تعليق"), (Comment, "ersten kommentar"),
    (Comment, "réagir à cet article"), (Comment, "soyez le premier à"), (Comment, "sé el primero en comentar"),
    // Sharing and following
    (Share, "share on facebook"), (Share, "share on twitter"), (Share, "share on whatsapp"),
    (Share, "share this article"), (Share, "share this story"), (Share, "share via"),
    (Share, "follow us on"), (Share, "follow us"), (Share, "like us on facebook"),
    (Share, "click to share"), (Share, "opens in new window"), (Share, "opens in a new window"),
    (Share, "síguenos"), (Share, "suivez-nous"), (Share, "folgen sie uns"), (Share, "siga-nos"),
    (Share, "seguici"), (Share, "подписывайтесь на"), (Share, "bizi takip edin"), (Share, "تابعنا"),
    // Consent and legal
    (Consent, "cookie"), (Consent, "cookies"), (Consent, "privacy policy"), (Consent, "privacy notice"),
    (Consent, "terms of use"), (Consent, "terms of service"), (Consent, "terms and conditions"),
    (Consent, "your privacy"), (Consent, "gdpr"),
    (Consent, "política de privacidad"), (Consent, "politique de confidentialité"),
    (Consent, "datenschutzerklärung"), (Consent, "datenschutz"), (Consent, "política de privacidade"),
    (Consent, "informativa sulla privacy"), (Consent, "политика конфиденциальности"),
    (Consent, "gizlilik politikası"), (Consent, "çerez"), (Consent, "سياسة الخصوصية"),
    // Read more / related
    (ReadMore, "read more"), (ReadMore, "read also"), (ReadMore, "read next"), (ReadMore, "see also"),
    (ReadMore, "related:"), (ReadMore, "related articles"), (ReadMore, "related stories"),
    (ReadMore, "more stories"), (ReadMore, "click here"), (ReadMore, "continue reading"),
    (ReadMore, "you may also like"), (ReadMore, "you might also like"), (ReadMore, "recommended for you"),
    (ReadMore, "lee también"), (ReadMore, "leer más"), (ReadMore, "lire aussi"), (ReadMore, "lire la suite"),
    (ReadMore, "lesen sie auch"), (ReadMore, "mehr zum thema"), (ReadMore, "auch interessant"),
    (ReadMore, "leia também"), (ReadMore, "leia mais"), (ReadMore, "leggi anche"),
    (ReadMore, "читайте также"), (ReadMore, "читайте нас"), (ReadMore, "ayrıca okuyun"),
    (ReadMore, "devamını oku"), (ReadMore, "اقرأ أيضا"), (ReadMore, "اقرأ أيضاً"),
    // Ads
    (Ad, "advertisement"), (Ad, "sponsored content"), (Ad, "paid content"), (Ad, "paid post"),
    (Ad, "partner content"), (Ad, "ad feedback"), (Ad, "publicidad"), (Ad, "publicité"),
    (Ad, "anzeige"), (Ad, "publicidade"), (Ad, "pubblicità"),
    // Copyright
    (Copyright, "all rights reserved"), (Copyright, "copyright"), (Copyright, "©"),
    (Copyright, "todos los derechos reservados"), (Copyright, "tous droits réservés"),
    (Copyright, "alle rechte vorbehalten"), (Copyright, "todos os direitos reservados"),
    (Copyright, "tutti i diritti riservati"), (Copyright, "все права защищены"),
    (Copyright, "tüm hakları saklıdır"), (Copyright, "جميع الحقوق محفوظة"),
    (Copyright, "may not be published, broadcast, rewritten"), (Copyright, "may not be reproduced"),
    // Paywall, log-in
    (Paywall, "subscribers only"), (Paywall, "log in to"), (Paywall, "sign in to"),
    (Paywall, "already a subscriber"), (Paywall, "already have an account"),
    (Paywall, "create an account"), (Paywall, "create a free account"), (Paywall, "register to"),
    (Paywall, "to continue reading"), (Paywall, "free articles"), (Paywall, "unlimited access"),
    (Paywall, "javascript"), (Paywall, "your browser"), (Paywall, "ad blocker"), (Paywall, "adblock"),
    // Navigation
    (Nav, "skip to"), (Nav, "back to top"), (Nav, "toggle navigation"), (Nav, "main menu"),
];

/// Line-shape patterns (matched against the lower-cased line). `WholeLine` patterns describe
/// the whole line (they are anchored) and weigh like the whole-line labels.
const PATTERNS: &[(Category, Strength, &str)] = &[
    (Copyright, Strength::Contains, r"^\(c\)\s*\d{4}"),
    (Copyright, Strength::Contains, r"^\d{4}\s*©"),
    (Comment, Strength::WholeLine, r"^\d+\s*(comments?|replies|responses?|comentarios|commentaires|kommentare|comentários|commenti|комментари\w*|yorum)$"),
    (Comment, Strength::WholeLine, r"^\d+\s+(comments?|replies|responses?|thoughts)\s+(to|on)(\s|$)"),
    (Comment, Strength::WholeLine, r"^(comments?|kommentare|comentarios|commentaires|reactions)\s*\(\d+\)$"),
    // A commenter's name line: "jane_doe says:", "Max Mustermann schreibt:". The colon is
    // required: "He said, she said" is a sub-head (and prose is never tried: see EdgeMasks).
    (Comment, Strength::WholeLine, r"^\S+(\s\S+){0,3}\s+(says|said|wrote|writes|replied|schreibt|dice|dit|escribió|escreveu)\s*:$"),
    // A comment's header: "Posted by jane on January 10, 2008 5:58 PM", "Posted by: Sam of
    // Leeds 9:49pm January 08, 2008". A clock time near the end is required: a sentence that
    // starts "Posted by" has none.
    (Comment, Strength::WholeLine, r"^(posted|submitted|publicado|enviado|posté|pubblicato|geschrieben)\s+(by|por|par|da|von)[:\s].{0,100}\D\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?(\W.{0,40})?$"),
    (Share, Strength::WholeLine, r"^(share|teilen|compartir|partager)\s*(on|auf|en|sur)?\s*(facebook|twitter|x|whatsapp|linkedin|e-?mail)$"),
    (Share, Strength::Contains, r"^follow\s+.{1,40}\s+on\s+(twitter|facebook|instagram|x|linkedin|youtube|tiktok)"),
    (Nav, Strength::Contains, r"^(home|news|sport|sports|business|world)(\s*[|/>»›·•]\s*\S+){1,6}$"),
    (Nav, Strength::Contains, r"\S\s*[|·•]\s*\S+\s*[|·•]\s*\S"),
    (Nav, Strength::WholeLine, r"^(page|seite|página|pagina)\s+\d+\s+(of|von|de|di)\s+\d+$"),
];

/// The matcher: built-in tables plus the user's phrases and patterns.
#[derive(Debug, Clone)]
pub struct Rules {
    whole: crate::text::HashMapU64<Category>,
    phrases: AhoCorasick,
    phrase_cat: Vec<Category>,
    /// The anchored built-in patterns (`^…`): a line is refuted within its first few bytes.
    anchored: RegexSet,
    /// The unanchored built-in patterns (menus): tried only on lines with two separators.
    menus: RegexSet,
    /// Which anchored patterns a line can match, by its first and last bytes.
    edges: Box<EdgeMasks>,
    /// `PATTERNS` index of each pattern of `anchored`, then of each of `menus`.
    anchored_idx: Vec<usize>,
    menus_idx: Vec<usize>,
    user_phrases: Option<AhoCorasick>,
    user_patterns: Option<RegexSet>,
}

/// For each byte, the anchored patterns (bit `k` for the `k`-th of the set) that a line
/// starting (`first`) or ending (`last`) with that byte can match, read from each pattern's
/// syntax: a pattern anchored at a side, that cannot match the empty string, allows there only
/// the bytes its matches can start (end) with; any other pattern allows every byte. A line
/// whose two masks share no bit matches no anchored pattern, without running the set.
#[derive(Debug, Clone)]
struct EdgeMasks {
    first: [u64; 256],
    last: [u64; 256],
}

impl EdgeMasks {
    fn new(patterns: &[&str]) -> Self {
        use regex_syntax::hir::Look;
        let mut masks = Self { first: [u64::MAX; 256], last: [u64::MAX; 256] };
        if patterns.len() > 64 {
            return masks; // one bit per pattern: beyond 64, every line is tried
        }
        masks.first = [0; 256];
        masks.last = [0; 256];
        for (k, p) in patterns.iter().enumerate() {
            let hir = regex_syntax::ParserBuilder::new().case_insensitive(true).build().parse(p).ok();
            let props = hir.as_ref().map(regex_syntax::hir::Hir::properties);
            let never_empty = props.is_some_and(|pr| pr.minimum_len().is_some_and(|n| n > 0));
            for (side, masks, look) in [(true, &mut masks.first, Look::Start), (false, &mut masks.last, Look::End)] {
                let mut bytes = [true; 256];
                if let (Some(hir), Some(pr)) = (&hir, props) {
                    let anchored = if side { pr.look_set_prefix() } else { pr.look_set_suffix() }.contains(look);
                    if anchored && never_empty {
                        bytes = [false; 256];
                        if edge_bytes(hir, side, &mut bytes) {
                            bytes = [true; 256]; // can end empty-handed on this side: allow all
                        }
                    }
                }
                for (b, &ok) in bytes.iter().enumerate() {
                    if ok {
                        masks[b] |= 1 << k;
                    }
                }
            }
        }
        masks
    }

    /// May `line` match one of the patterns?
    #[inline]
    fn may_match(&self, line: &str) -> bool {
        match (line.as_bytes().first(), line.as_bytes().last()) {
            (Some(&a), Some(&z)) => self.first[a as usize] & self.last[z as usize] != 0,
            _ => true,
        }
    }
}

/// Marks in `out` every byte a non-empty match of `hir` can start (`first`) or end with;
/// returns whether `hir` can match the empty string (then the bytes that follow it count too).
fn edge_bytes(hir: &regex_syntax::hir::Hir, first: bool, out: &mut [bool; 256]) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => {
            let b = if first { lit.0.first() } else { lit.0.last() };
            match b {
                Some(&b) => {
                    out[b as usize] = true;
                    false
                }
                None => true,
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut utf8 = [0u8; 4];
            for r in class.ranges() {
                let (a, z) = (r.start(), r.end());
                if first {
                    // Lead bytes grow with the code point: every byte between those of the
                    // range's ends (a superset).
                    let (la, lz) = (a.encode_utf8(&mut utf8).as_bytes()[0], z.encode_utf8(&mut utf8).as_bytes()[0]);
                    out[la as usize..=lz as usize].iter_mut().for_each(|o| *o = true);
                } else {
                    // The last byte of a character: itself for ASCII, a continuation byte otherwise.
                    if (a as u32) < 0x80 {
                        out[a as usize..=(z as u32).min(0x7F) as usize].iter_mut().for_each(|o| *o = true);
                    }
                    if (z as u32) >= 0x80 {
                        out[0x80..=0xBF].iter_mut().for_each(|o| *o = true);
                    }
                }
            }
            false
        }
        HirKind::Class(Class::Bytes(class)) => {
            for r in class.ranges() {
                out[r.start() as usize..=r.end() as usize].iter_mut().for_each(|o| *o = true);
            }
            false
        }
        HirKind::Repetition(rep) => edge_bytes(&rep.sub, first, out) || rep.min == 0,
        HirKind::Capture(cap) => edge_bytes(&cap.sub, first, out),
        HirKind::Concat(subs) => {
            let mut all_empty = true;
            let mut visit = |h: &regex_syntax::hir::Hir| {
                all_empty = edge_bytes(h, first, out);
                all_empty
            };
            if first {
                subs.iter().all(|h| visit(h));
            } else {
                subs.iter().rev().all(|h| visit(h));
            }
            all_empty
        }
        HirKind::Alternation(subs) => subs.iter().fold(false, |empty, h| edge_bytes(h, first, out) || empty),
    }
}

/// What a scan of the line already knows, so that [`Rules::check_with`] need not look at the
/// line again. [`LineHints::unknown`] assumes nothing (every rule is tried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineHints {
    /// The line's word count ([`crate::text::for_each_word`]); whole-line labels are short.
    pub n_words: usize,
    /// The line has an upper-case letter outside ASCII (phrases are then matched on a
    /// lower-cased copy).
    pub upper_non_ascii: bool,
    /// [`fold_hash`] of the line, when the scan computed it (`None`: computed when needed).
    pub fold_hash: Option<u64>,
    /// At least the number of menu separators (`|`, `·`, `•`) in the line: the unanchored
    /// built-in patterns need two.
    pub seps: usize,
    /// False only when no built-in phrase can occur in the line on word boundaries: none of
    /// its alphanumeric runs is a phrase's key run ([`PhraseKeys`]) and it holds no phrase
    /// without letters or digits. Must be true for a line with upper-case letters outside
    /// ASCII (matched lower-cased, where the runs can differ).
    pub phrase_possible: bool,
}

impl LineHints {
    /// Hints that assume nothing about `line` but its word count.
    #[must_use]
    pub fn unknown(line: &str, n_words: usize) -> Self {
        let upper_non_ascii = !line.is_ascii() && line.chars().any(|c| !c.is_ascii() && c.is_uppercase());
        Self { n_words, upper_non_ascii, fold_hash: None, seps: usize::MAX, phrase_possible: true }
    }
}

/// One alphanumeric run of each built-in phrase (its rarest-looking word), hashed the way
/// [`fold_hash`] hashes characters, in a 65,536-bit table: a phrase that occurs in a line on
/// word boundaries makes each of its runs a whole alphanumeric run of the line, so a line
/// none of whose runs hits the table cannot match any phrase (false hits only cost a search).
#[derive(Debug)]
pub struct PhraseKeys {
    bits: Vec<u64>,
    /// Phrases without any letter or digit ("©"): searched for as they are.
    symbols: Vec<&'static str>,
    /// Their first characters.
    symbol_starts: Vec<char>,
}

impl PhraseKeys {
    /// The table for the built-in phrases.
    #[must_use]
    pub fn get() -> &'static Self {
        static KEYS: OnceLock<PhraseKeys> = OnceLock::new();
        KEYS.get_or_init(|| {
            let mut keys = Self { bits: vec![0; 1 << 10], symbols: Vec::new(), symbol_starts: Vec::new() };
            for &(_, phrase) in PHRASES {
                let mut runs: Vec<&str> = Vec::new();
                crate::text::for_each_run(phrase, |r| runs.push(r));
                // Prefer a run that is not a function word, then the longest (the last of equals).
                match runs.iter().copied().max_by_key(|r| (!crate::text::is_stopword(r), r.chars().count())) {
                    Some(run) => {
                        let h = crate::text::mix(fold_hash(run));
                        keys.bits[(h >> 54) as usize] |= 1 << ((h >> 48) & 63);
                    }
                    None => keys.symbols.push(phrase),
                }
            }
            keys.symbol_starts = keys.symbols.iter().filter_map(|s| s.chars().next()).collect();
            keys
        })
    }

    /// May a line with an alphanumeric run of [`fold_hash`] `h` hold a phrase?
    #[inline]
    #[must_use]
    pub fn hit(&self, h: u64) -> bool {
        let h = crate::text::mix(h);
        self.bits[(h >> 54) as usize] & (1 << ((h >> 48) & 63)) != 0
    }

    /// Can a phrase without letters or digits start with `c`?
    #[inline]
    #[must_use]
    pub fn symbol_start(&self, c: char) -> bool {
        self.symbol_starts.contains(&c)
    }

    /// Does some phrase without letters or digits start with an ASCII character?
    #[must_use]
    pub fn ascii_symbols(&self) -> bool {
        self.symbol_starts.iter().any(char::is_ascii)
    }

    /// Does `line` hold one of the phrases without letters or digits?
    #[must_use]
    pub fn has_symbol(&self, line: &str) -> bool {
        self.symbols.iter().any(|s| memchr::memmem::find(line.as_bytes(), s.as_bytes()).is_some())
    }
}

/// Lines longer than this many bytes are not matched against the built-in patterns: chrome
/// lines are short, and long prose is judged by its shape, not by a word it contains.
const MAX_RULE_BYTES: usize = 600;

/// The built-in patterns describe short lines; longer ones are not tried against them.
const MAX_PATTERN_BYTES: usize = 300;

impl Default for Rules {
    fn default() -> Self {
        Self::new(&[], &[]).expect("built-in rules compile")
    }
}

impl Rules {
    /// The built-in rules plus `user_phrases` (matched case-insensitively anywhere in a line)
    /// and `user_patterns` (Rust `regex` syntax, searched in the line; anchor with `^…$`).
    ///
    /// # Errors
    /// [`Error::InvalidPattern`] names a user pattern that does not compile.
    pub fn new(user_phrases: &[String], user_patterns: &[String]) -> Result<Self, Error> {
        let user = Self::user(user_phrases, user_patterns)?;
        // The built-in tables are compiled once per process: the automata are shared by
        // reference count, so each `Rules` costs a clone, not a compilation (which took 2 ms,
        // and much longer in sanitizer builds, where the rules fuzz target spent its time).
        static BUILT_IN: OnceLock<Rules> = OnceLock::new();
        let built_in = BUILT_IN.get_or_init(Self::built_in);
        Ok(Self { user_phrases: user.0, user_patterns: user.1, ..built_in.clone() })
    }

    /// The built-in tables alone.
    fn built_in() -> Self {
        let whole = WHOLE_LINES.iter().map(|&(c, p)| (fold_hash(p), c)).collect();
        let phrases = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            // A full DFA: the table is small (a few hundred phrases) and searching is fastest.
            .kind(Some(AhoCorasickKind::DFA))
            .build(PHRASES.iter().map(|&(_, p)| p))
            .expect("built-in phrases compile");
        let phrase_cat = PHRASES.iter().map(|&(c, _)| c).collect();
        // Case-insensitive, so ASCII lines are matched as they are.
        let set = |idx: &[usize]| {
            RegexSetBuilder::new(idx.iter().map(|&i| PATTERNS[i].2)).case_insensitive(true).build().expect("built-in patterns compile")
        };
        let (anchored_idx, menus_idx): (Vec<usize>, Vec<usize>) = (0..PATTERNS.len()).partition(|&i| PATTERNS[i].2.starts_with('^'));
        debug_assert!(menus_idx.iter().all(|&i| PATTERNS[i].2.matches("[|·•]").count() >= 2), "an unanchored pattern needs two separators");
        Self {
            whole,
            phrases,
            phrase_cat,
            anchored: set(&anchored_idx),
            edges: Box::new(EdgeMasks::new(&anchored_idx.iter().map(|&i| PATTERNS[i].2).collect::<Vec<_>>())),
            menus: set(&menus_idx),
            anchored_idx,
            menus_idx,
            user_phrases: None,
            user_patterns: None,
        }
    }

    /// The user's phrases and patterns, compiled, or the error naming the one at fault.
    fn user(user_phrases: &[String], user_patterns: &[String]) -> Result<(Option<AhoCorasick>, Option<RegexSet>), Error> {
        let user_phrases = if user_phrases.is_empty() {
            None
        } else {
            if let Some((i, _)) = user_phrases.iter().enumerate().find(|(_, p)| p.trim().is_empty()) {
                return Err(Error::InvalidPattern {
                    list: "phrases",
                    index: i,
                    pattern: user_phrases[i].clone(),
                    message: "an empty phrase would match every line".into(),
                });
            }
            let lowered: Vec<String> = user_phrases.iter().map(|p| p.to_lowercase()).collect();
            // No single phrase is at fault when the automaton cannot be built (too large).
            Some(AhoCorasickBuilder::new().build(&lowered).map_err(|e| Error::InvalidOption {
                name: "phrases",
                message: format!("the {} phrases together cannot be compiled: {e}", lowered.len()),
            })?)
        };
        let user_patterns = if user_patterns.is_empty() {
            None
        } else {
            for (i, p) in user_patterns.iter().enumerate() {
                if let Err(e) = regex::RegexBuilder::new(p).size_limit(1 << 22).build() {
                    return Err(Error::InvalidPattern { list: "patterns", index: i, pattern: p.clone(), message: e.to_string() });
                }
            }
            // Each pattern compiles alone; together they can still be too large.
            Some(RegexSetBuilder::new(user_patterns).size_limit(1 << 24).build().map_err(|e| Error::InvalidOption {
                name: "patterns",
                message: format!("the {} patterns together cannot be compiled: {e}", user_patterns.len()),
            })?)
        };
        Ok((user_phrases, user_patterns))
    }

    /// Matches one line. `n_words` is the line's word count (whole-line labels are short).
    /// `buf` is scratch space for the lower-cased line.
    #[must_use]
    pub fn check(&self, line: &str, n_words: usize, buf: &mut String) -> Option<Hit> {
        self.check_with(line, &LineHints::unknown(line, n_words), buf)
    }

    /// [`Rules::check`] for callers that have scanned the line already (see [`LineHints`]):
    /// the whole-line key is not computed again, and rules that the hints rule out are not
    /// tried. The result is the same as [`Rules::check`]'s for true hints.
    #[must_use]
    pub fn check_with(&self, line: &str, hints: &LineHints, buf: &mut String) -> Option<Hit> {
        if let Some(hit) = self.check_user(line) {
            return Some(hit);
        }
        if line.len() > MAX_RULE_BYTES {
            return None;
        }
        if hints.n_words <= 8 && line.len() <= 120 {
            if let Some(&category) = self.whole.get(&hints.fold_hash.unwrap_or_else(|| fold_hash(line))) {
                return Some(Hit { category, strength: Strength::WholeLine });
            }
        }
        // The phrases are lower case and matched ASCII-case-insensitively, so only a line with
        // upper-case letters outside ASCII needs a lower-cased copy.
        let line = trim_ws(line);
        let lower = if hints.upper_non_ascii { lower_into(line, buf) } else { line };
        if hints.phrase_possible || hints.upper_non_ascii {
            for m in self.phrases.find_iter(lower) {
                if is_word_boundary(lower, m.start(), m.end()) {
                    return Some(Hit { category: self.phrase_cat[m.pattern().as_usize()], strength: Strength::Contains });
                }
            }
        }
        if lower.len() > MAX_PATTERN_BYTES {
            return None;
        }
        // The first matching pattern in table order, of either set.
        let first = |set: &RegexSet, idx: &[usize]| set.is_match(lower).then(|| set.matches(lower).iter().next().map(|k| idx[k])).flatten();
        let anchored = if self.edges.may_match(lower) { first(&self.anchored, &self.anchored_idx) } else { None };
        let earlier = |m: usize| anchored.map_or(true, |a| a > m);
        let menu = if hints.seps >= 2 && self.menus_idx.first().is_some_and(|&m| earlier(m)) { first(&self.menus, &self.menus_idx) } else { None };
        let i = match (anchored, menu) {
            (Some(a), Some(m)) => a.min(m),
            (a, m) => a.or(m)?,
        };
        Some(Hit { category: PATTERNS[i].0, strength: PATTERNS[i].1 })
    }

    /// The matching as it was before [`LineHints`]: every rule tried, the whole-line key
    /// computed here, one set of all the patterns. The oracle of the hinted path's tests.
    #[cfg(test)]
    pub(crate) fn check_reference(&self, line: &str, n_words: usize, has_upper_non_ascii: bool, buf: &mut String) -> Option<Hit> {
        static ALL: OnceLock<RegexSet> = OnceLock::new();
        let patterns = ALL.get_or_init(|| RegexSetBuilder::new(PATTERNS.iter().map(|&(_, _, p)| p)).case_insensitive(true).build().expect("built-in patterns compile"));
        if let Some(hit) = self.check_user(line) {
            return Some(hit);
        }
        if line.len() > MAX_RULE_BYTES {
            return None;
        }
        if n_words <= 8 && line.len() <= 120 {
            if let Some(&category) = self.whole.get(&fold_hash(line)) {
                return Some(Hit { category, strength: Strength::WholeLine });
            }
        }
        let line = line.trim();
        let lower = if has_upper_non_ascii { lower_into(line, buf) } else { line };
        for m in self.phrases.find_iter(lower) {
            if is_word_boundary(lower, m.start(), m.end()) {
                return Some(Hit { category: self.phrase_cat[m.pattern().as_usize()], strength: Strength::Contains });
            }
        }
        if lower.len() > MAX_PATTERN_BYTES || !patterns.is_match(lower) {
            return None;
        }
        patterns.matches(lower).iter().next().map(|i| Hit { category: PATTERNS[i].0, strength: PATTERNS[i].1 })
    }

    fn check_user(&self, line: &str) -> Option<Hit> {
        let hit = Hit { category: Category::User, strength: Strength::WholeLine };
        if let Some(re) = &self.user_patterns {
            if re.is_match(line) {
                return Some(hit);
            }
        }
        if let Some(ac) = &self.user_phrases {
            if ac.is_match(&line.to_lowercase()) {
                return Some(hit);
            }
        }
        None
    }
}

/// Does the match `start..end` in `s` stand on word boundaries (no letter or digit glued on)?
fn is_word_boundary(s: &str, start: usize, end: usize) -> bool {
    let before = s[..start].chars().next_back();
    let after = s[end..].chars().next();
    let first = s[start..].chars().next();
    let last = s[..end].chars().next_back();
    let glued = |outside: Option<char>, inside: Option<char>| {
        matches!((outside, inside), (Some(o), Some(i)) if o.is_alphanumeric() && i.is_alphanumeric())
    };
    !glued(before, first) && !glued(after, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rules: &Rules, line: &str) -> Option<Category> {
        let n = line.split_whitespace().count();
        rules.check(line, n, &mut String::new()).map(|h| h.category)
    }

    #[test]
    fn built_in_rules_table() {
        let rules = Rules::default();
        let cases: &[(&str, Option<Category>)] = &[
            ("You can download the AnewZ application from Play Store and the App Store.", Some(App)),
            ("What is your opinion on this topic?", Some(Comment)),
            ("Leave the first comment", Some(Comment)),
            ("ADVERTISEMENT", Some(Ad)),
            ("Anzeige", Some(Ad)),
            ("Реклама", Some(Ad)),
            ("Lesen Sie auch:", Some(ReadMore)),
            ("Suivez-nous sur Twitter", Some(Share)),
            ("© 2024 Example Media. All rights reserved.", Some(Copyright)),
            ("Tüm hakları saklıdır.", Some(Copyright)),
            ("12 comments", Some(Comment)),
            ("34 responses to “A headline”", Some(Comment)),
            ("jane_doe says:", Some(Comment)),
            ("Max Mustermann schreibt:", Some(Comment)),
            ("Posted by jane on January 10, 2008 5:58 PM", Some(Comment)),
            ("Posted By: sam_k | March 3 2021 at 04:09 PM", Some(Comment)),
            ("Posted by: Sam of Leeds 9:49pm January 08, 2008", Some(Comment)),
            ("Publicado por Ana el 3 de marzo, 10:15", Some(Comment)),
            // A comment's header has a clock time; a sentence that starts the same has none.
            ("Posted by the council on its website, the notice gave no date for the works.", None),
            // A sub-head made of a reporting verb is not a commenter's name line: that needs
            // the colon.
            ("He said, she said", None),
            ("Police said", None),
            ("Follow Example News on Instagram, Facebook and YouTube.", Some(Share)),
            ("Home | World | Business | Sport", Some(Nav)),
            ("We use cookies to improve your experience.", Some(Consent)),
            ("The minister said the talks would resume on Monday.", None),
            ("Kazakhstan has once again come into the geopolitical spotlight.", None),
            // Whole words only: "ad" inside "made", "cookie" needs its own word.
            ("He made a decision", None),
            ("Cookiecutter sharks are small.", None),
        ];
        for &(line, want) in cases {
            assert_eq!(check(&rules, line), want, "{line:?}");
        }
    }

    #[test]
    fn edge_masks_follow_the_pattern_syntax() {
        let m = EdgeMasks::new(&["^ab", r"^\d+\s*(says|said)$", "^(x|)$"]);
        let allows = |line: &str, k: u32| m.first[line.as_bytes()[0] as usize] & m.last[*line.as_bytes().last().unwrap() as usize] & (1 << k) != 0;
        assert!(allows("abc.", 0) && allows("ABC", 0) && !allows("bab", 0));
        assert!(allows("12 SAYS", 1) && allows("1 saiD", 1) && !allows("12 says.", 1) && !allows("x says", 1));
        // Case-insensitive: the long s ('ſ', two bytes) folds with 's'.
        assert!(allows("1 ſays", 1));
        assert!(allows("anything", 2), "a pattern that can match the empty line allows every line");
        let unanchored = EdgeMasks::new(&["ab"]);
        assert!(unanchored.may_match("zzz"));
        // The built-in anchored patterns: prose ending in a full stop is not tried.
        let rules = Rules::default();
        assert!(!rules.edges.may_match("The minister said the talks would resume on Monday."));
        for line in ["(c) 2024 Site", "2024 © Site", "12 comments", "Comments (3)", "jane_doe says:", "Share on Facebook", "Follow Us on Twitter now", "Page 2 of 9", "Home | News"] {
            assert!(rules.edges.may_match(&line.to_lowercase()) && rules.edges.may_match(line), "{line}");
        }
    }

    #[test]
    fn long_prose_lines_skip_built_in_phrases() {
        let rules = Rules::default();
        let long = "The regulator said cookies ".repeat(40);
        assert_eq!(check(&rules, &long), None);
    }

    #[test]
    fn user_rules_match_and_bad_patterns_are_named() {
        let rules = Rules::new(&["Exclusive offer".into()], &[r"^Photo: .*$".into()]).unwrap();
        assert_eq!(check(&rules, "An EXCLUSIVE OFFER for you"), Some(Category::User));
        assert_eq!(check(&rules, "Photo: Reuters"), Some(Category::User));
        assert_eq!(check(&rules, "A photo: not anchored"), None);
        let err = Rules::new(&[], &["ok".into(), "(unclosed".into()]).unwrap_err();
        assert!(matches!(err, Error::InvalidPattern { list: "patterns", index: 1, .. }), "{err}");
        assert_eq!(err.to_string(), format!("invalid rule at index 1 of patterns (\"(unclosed\"): {}", match &err {
            Error::InvalidPattern { message, .. } => message,
            _ => unreachable!(),
        }));
        let err = Rules::new(&["  ".into()], &[]).unwrap_err();
        assert!(matches!(err, Error::InvalidPattern { list: "phrases", index: 0, .. }), "{err}");
        // Each pattern is small enough alone, the set of them is not: no pattern is blamed.
        let big: Vec<String> = (0..10).map(|i| format!("x{i}\\w{{40}}")).collect();
        match Rules::new(&[], &big) {
            Err(Error::InvalidOption { name: "patterns", message }) => assert!(message.contains("together"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
