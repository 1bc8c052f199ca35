//! The offline search index behind `/search/`: built from the rendered pages (title,
//! plain text of the body, and the front matter a page shows, such as a warning's
//! 防御指南), written as static files that `search.js` fetches piece by piece.
//!
//! Chinese has no spaces between words, so the index is of character bigrams, as
//! Lucene's CJK analyser does it: `地质灾害` is indexed as `地质`, `质灾`, `灾害`, and a query
//! is cut the same way, so any phrase of two or more characters is found wherever it
//! occurs, with no dictionary that the browser would have to share (a segmenter such
//! as jieba cuts `安全生产` one way at build time and the query another way, and the
//! page is lost; ARCHITECTURE.md has the measurements). The last character of a run
//! is also indexed alone, so a one-character query finds every run the character is in.
//! Runs of ASCII letters and digits (`119`, `a4`) are indexed as whole words.
//!
//! Files, all under `search/<hash>/` so that a new build never meets a stale copy in
//! WeChat's cache:
//! - `meta.json`: the number of pages and the first key of every chunk;
//! - `c/<n>.bin`: chunks of the sorted key list, each key with its posting list;
//! - `d/<n>.json`: one small record per page (title, URL, date, section, text) that
//!   the result list reads for the ten results it shows.
//!
//! A query downloads `meta.json`, the one chunk holding each of its keys, and the
//! records of the results on screen. Pages are numbered newest first, so the posting
//! lists are ordered by date and "newer first" costs nothing. Each posting carries
//! whether the key is in the title and how often it occurs (four buckets), for
//! ranking: title hits first, then frequent mentions, then newer pages.
//!
//! This module makes bytes; it does not write files (render hands them to the sink),
//! and it must agree with `search.js` on [`fold`] and [`class`] character by character.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::model::{Page, Site};
use crate::output::{OutData, OutFile};

/// Where the search page goes.
pub(crate) const PAGE_PATH: &str = "search/";

/// A page's text in its result record is cut after this many characters (about 6 KB):
/// ten records stay small on mobile data. The index itself covers the whole text.
const RECORD_CHARS: usize = 2000;

/// ASCII words longer than this (hashes, glued-together URLs) are not indexed.
const MAX_WORD: usize = 24;

/// The search page, its index files and where `search.js` finds them.
pub(crate) struct SearchIndex {
    /// Root-relative URL of `meta.json`.
    pub(crate) meta_url: String,
    /// `meta.json` and the chunks of the key list.
    pub(crate) files: Vec<OutFile>,
    /// Each result record's path and its page: a record is made again when it is
    /// written ([`page_record`]), so that a site's records (as many as its pages, and
    /// as big as the index) are never all held at once.
    pub(crate) records: Vec<(String, usize)>,
}

/// Where the search page goes, unless the site has its own page or section there.
pub(crate) fn page_path(site: &Site) -> Option<&'static str> {
    let taken = site.sections.iter().any(|s| s.path == PAGE_PATH)
        || site.pages.iter().any(|p| p.path.starts_with(PAGE_PATH));
    (!taken).then_some(PAGE_PATH)
}

/// Folds a character the way text and queries are compared: full-width ASCII (`ＡＢ１２`)
/// as ASCII, ASCII letters lowercase. One UTF-16 unit in, one out, so positions in the
/// folded text are positions in the original (search.js relies on that for marking).
pub(crate) fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Class {
    /// ASCII letters and digits: words.
    Word,
    /// Han characters (and kana, hangul): bigrams.
    Cjk,
    /// Everything else separates.
    Other,
}

/// The class of a folded character.
pub(crate) fn class(c: char) -> Class {
    match c {
        'a'..='z' | '0'..='9' => Class::Word,
        '\u{3007}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}' => Class::Cjk,
        _ => Class::Other,
    }
}

/// One index key: a pair of characters, a run's last character alone, or an ASCII word.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
enum Key {
    /// Two characters as `first << 21 | second`; `second` is 0 for a run's last
    /// character alone. A number, so that counting 13 million of them is cheap.
    Cjk(u64),
    Word(Box<str>),
}

impl Key {
    fn pair(a: char, b: Option<char>) -> Key {
        Key::Cjk((u64::from(a) << 21) | b.map_or(0, u64::from))
    }

    fn text(&self) -> String {
        match self {
            Key::Cjk(v) => [*v >> 21, *v & 0x1f_ffff]
                .iter()
                .filter(|&&c| c != 0)
                .filter_map(|&c| char::from_u32(c as u32))
                .collect(),
            Key::Word(w) => w.to_string(),
        }
    }
}

/// Calls `emit` with every key of `text`, in order.
fn keys(text: &str, mut emit: impl FnMut(Key)) {
    let mut word = String::new();
    let mut prev: Option<char> = None;
    let flush_word = |word: &mut String, emit: &mut dyn FnMut(Key)| {
        if !word.is_empty() && word.len() <= MAX_WORD {
            emit(Key::Word(word.as_str().into()));
        }
        word.clear();
    };
    for c in text.chars().map(fold) {
        match class(c) {
            Class::Cjk => {
                flush_word(&mut word, &mut emit);
                if let Some(p) = prev {
                    emit(Key::pair(p, Some(c)));
                }
                prev = Some(c);
            }
            other => {
                if let Some(p) = prev.take() {
                    emit(Key::pair(p, None));
                }
                if other == Class::Word {
                    word.push(c);
                } else {
                    flush_word(&mut word, &mut emit);
                }
            }
        }
    }
    if let Some(p) = prev {
        emit(Key::pair(p, None));
    }
    flush_word(&mut word, &mut emit);
}

/// FNV-1a for the key maps: the std SipHash costs more than the rest of indexing.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, v: u64) {
        // One multiply per key instead of eight rounds of FNV.
        self.0 = (self.0 ^ v)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// How often a key occurs, in four buckets (1, 2–3, 4–7, 8+), shifted past the title bit.
fn weight(count: u32, in_title: bool) -> u8 {
    let bucket = match count {
        0..=1 => 0,
        2..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    (bucket << 1) | u8::from(in_title)
}

/// The text of a page that is searched besides its title: the body, then what the
/// page shows from its front matter.
fn body_text(p: &Page) -> String {
    let mut parts: Vec<&str> = vec![&*p.text];
    if let Some(d) = &p.meta.description {
        parts.push(d);
    }
    if let Some(w) = &p.meta.warning {
        parts.push(&w.hazard);
        parts.push(&w.issuer);
        parts.extend(w.areas.iter().map(String::as_str));
        parts.extend(w.guidance.iter().map(String::as_str));
    }
    if let Some(c) = &p.meta.campaign {
        parts.push(&c.theme);
        parts.push(&c.location);
    }
    for f in &p.meta.figures {
        parts.push(&f.label);
    }
    parts.extend(p.meta.tags.iter().map(|t| t.value.as_str()));
    parts.extend(p.meta.categories.iter().map(|t| t.value.as_str()));
    let mut text = String::new();
    for part in parts.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(part);
    }
    text
}

/// A page's keys with their weights.
type PageKeys = Vec<(Key, u8)>;

/// Every key of a page (title and body) once, weighted.
fn page_keys(title: &str, body: &str) -> PageKeys {
    // Pairs are plain numbers: sorting them and counting runs is several times faster
    // than a hash map over 13 million keys (10,000 pages). Words are few.
    let (mut pairs, mut title_pairs) = (Vec::with_capacity(body.len() / 3 + 16), Vec::new());
    let (mut words, mut title_words) = (Vec::new(), Vec::new());
    keys(title, |k| match k {
        Key::Cjk(v) => title_pairs.push(v),
        Key::Word(w) => title_words.push(w),
    });
    keys(body, |k| match k {
        Key::Cjk(v) => pairs.push(v),
        Key::Word(w) => words.push(w),
    });
    let mut out = Vec::new();
    counted(pairs, title_pairs, |v, w| out.push((Key::Cjk(v), w)));
    counted(words, title_words, |v, w| out.push((Key::Word(v), w)));
    out
}

/// Calls `emit` once per distinct key of `body` and `title` with its weight.
fn counted<T: Ord + Clone>(mut body: Vec<T>, mut title: Vec<T>, mut emit: impl FnMut(T, u8)) {
    body.extend(title.iter().cloned());
    body.sort_unstable();
    title.sort_unstable();
    let mut rest = body.as_slice();
    while let Some(key) = rest.first() {
        let n = rest.iter().take_while(|k| *k == key).count();
        let in_title = title.binary_search(key).is_ok();
        emit(key.clone(), weight(n as u32, in_title));
        rest = &rest[n..];
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Key text in UTF-16 units: the order and the form JavaScript strings compare in.
fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// The byte budget of one chunk: balances `meta.json` (a key per chunk, read by every
/// query) against the chunks a query reads (one per key, two or three for a phrase).
fn chunk_target(total: usize) -> usize {
    (((total as f64) * 8.0 / 3.0).sqrt() as usize).clamp(2 * 1024, 32 * 1024)
}

/// Pages whose keys and records are made together, in parallel, before their keys are
/// merged into the posting lists and dropped: memory for keys is bounded by a chunk,
/// not by the site (a page's keys take about 10 KB; all of them at 50,000 pages, 500 MB).
/// Big enough that the threads of a chunk stay busy, and that merging one chunk while
/// the next is made is not lost to waiting.
const CHUNK_PAGES: usize = 256;

/// A page's keys and its result record's content hash (the record itself is made
/// again when written: see [`SearchIndex::records`]).
type Doc = (PageKeys, String);

/// Builds the index of every published page, or `None` when the site has its own
/// page at `/search/`.
pub(crate) fn build(site: &Site) -> Option<SearchIndex> {
    build_in_chunks(site, CHUNK_PAGES)
}

/// [`build`], making `chunk_pages` pages at a time. The bytes do not depend on it.
fn build_in_chunks(site: &Site, chunk_pages: usize) -> Option<SearchIndex> {
    page_path(site)?;
    // Newest first; undated pages last, by path.
    let mut order: Vec<usize> = (0..site.pages.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&site.pages[a], &site.pages[b]);
        pb.sort_date()
            .map(|z| z.timestamp())
            .cmp(&pa.sort_date().map(|z| z.timestamp()))
            .then_with(|| pa.path.cmp(&pb.path))
    });

    let make = |chunk: &[usize]| -> Vec<Doc> {
        chunk
            .par_iter()
            .map(|&i| {
                let p = &site.pages[i];
                let body = body_text(p);
                let keys = page_keys(&p.meta.title, &body);
                let hash = crate::base::hash::content_hash(&record(site, p, &body));
                (keys, hash)
            })
            .collect()
    };
    // Key → (the last page it was seen on + 1, its posting list so far).
    let mut postings: FnvMap<Key, (u32, Vec<u8>)> = FnvMap::default();
    let mut doc_count = 0;
    let mut record_hashes = String::new();
    let mut merge = |docs: Vec<Doc>| {
        for (keys, hash) in docs {
            doc_count += 1;
            let doc = doc_count as u32;
            for (k, w) in keys {
                let (last, list) = postings.entry(k).or_default();
                varint(list, (u64::from(doc - *last) << 3) | u64::from(w));
                *last = doc;
            }
            record_hashes.push_str(&hash);
        }
    };
    // One chunk is merged (one thread) while the next is made (the others): the
    // merge is sequential, since posting lists are in page order.
    let mut made: Option<Vec<Doc>> = None;
    for chunk in order.chunks(chunk_pages.max(1)) {
        let ready = made.take();
        let (_, next) = rayon::join(
            || {
                if let Some(docs) = ready {
                    merge(docs);
                }
            },
            || make(chunk),
        );
        made = Some(next);
    }
    if let Some(docs) = made {
        merge(docs);
    }

    let mut entries: Vec<(Vec<u16>, Vec<u8>)> = postings
        .into_iter()
        .map(|(k, (_, list))| (utf16(&k.text()), list))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let total: usize = entries.iter().map(|(k, l)| k.len() * 3 + l.len() + 4).sum();
    let target = chunk_target(total);
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut firsts: Vec<String> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    // Each list is dropped once copied into its chunk, so the index is not held twice.
    for (key, list) in entries {
        let mut entry = Vec::with_capacity(list.len() + 16);
        varint(&mut entry, key.len() as u64);
        for u in &key {
            varint(&mut entry, u64::from(*u));
        }
        varint(&mut entry, list.len() as u64);
        entry.extend_from_slice(&list);
        drop(list);
        if current.is_empty() || current.len() + entry.len() > target {
            if !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
            firsts.push(String::from_utf16_lossy(&key));
        }
        current.extend_from_slice(&entry);
    }
    if !current.is_empty() {
        chunks.push(current);
    }

    let meta = serde_json::json!({ "v": 1, "docs": doc_count, "chunks": firsts });
    let meta = serde_json::to_vec(&meta).unwrap_or_default();
    // One name for the whole index: any change anywhere gives every file a new URL.
    let mut hashes = crate::base::hash::content_hash(&meta);
    for c in &chunks {
        hashes.push_str(&crate::base::hash::content_hash(c));
    }
    hashes.push_str(&record_hashes);
    let dir = format!(
        "{PAGE_PATH}{}/",
        crate::base::hash::content_hash(hashes.as_bytes())
    );

    let mut files = Vec::with_capacity(1 + chunks.len());
    files.push(OutFile {
        path: format!("{dir}meta.json"),
        data: OutData::Bytes(meta),
    });
    files.extend(chunks.into_iter().enumerate().map(|(i, c)| OutFile {
        path: format!("{dir}c/{i}.bin"),
        data: OutData::Bytes(c),
    }));
    let records = order
        .into_iter()
        .enumerate()
        .map(|(n, i)| (format!("{dir}d/{n}.json"), i))
        .collect();
    Some(SearchIndex {
        meta_url: site.url(&format!("{dir}meta.json")),
        files,
        records,
    })
}

/// Page `i`'s result record, `d/<n>.json`: the bytes that [`build`] hashed.
pub(crate) fn page_record(site: &Site, i: usize) -> Vec<u8> {
    let p = &site.pages[i];
    record(site, p, &body_text(p))
}

/// What the result list shows of a page: title, URL, date, section and its text (cut;
/// `c` says whether it is complete, so that search.js knows a phrase missing from a
/// cut text may still be in the page).
fn record(site: &Site, p: &Page, body: &str) -> Vec<u8> {
    let cut = body.char_indices().nth(RECORD_CHARS).map(|(i, _)| i);
    let text = &body[..cut.unwrap_or(body.len())];
    let section = if p.section == 0 {
        ""
    } else {
        site.sections[p.section].title.as_str()
    };
    // Fields in the order `serde_json::json!` wrote them (sorted), so the bytes stay.
    #[derive(serde::Serialize)]
    struct Record<'a> {
        c: bool,
        d: String,
        s: &'a str,
        t: &'a str,
        u: String,
        x: &'a str,
    }
    let record = Record {
        c: cut.is_none(),
        d: p.sort_date()
            .map(|d| d.strftime("%Y年%-m月%-d日").to_string())
            .unwrap_or_default(),
        s: section,
        t: &p.meta.title,
        u: site.url(&p.path),
        x: text,
    };
    let mut out = Vec::with_capacity(text.len() + p.meta.title.len() + 128);
    serde_json::to_writer(&mut out, &record).unwrap_or_default();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        keys(text, |k| v.push(k.text()));
        v
    }

    #[test]
    fn chinese_is_cut_into_bigrams_and_words_stay_whole() {
        assert_eq!(all("地质灾害"), ["地质", "质灾", "灾害", "害"]);
        assert_eq!(
            all("拨打１１９，或ＡＢc"),
            ["拨打", "打", "119", "或", "abc"]
        );
        assert_eq!(all("A4纸 防"), ["a4", "纸", "防"]);
        assert!(all(&"x".repeat(MAX_WORD + 1)).is_empty());
    }

    #[test]
    fn weights_carry_the_title_and_a_frequency_bucket() {
        assert_eq!(weight(1, false), 0);
        assert_eq!(weight(1, true), 1);
        assert_eq!(weight(3, false), 2);
        assert_eq!(weight(5, true), 5);
        assert_eq!(weight(100, false), 6);
    }

    #[test]
    fn varints_are_little_endian_groups_of_seven_bits() {
        let mut v = Vec::new();
        varint(&mut v, 5);
        varint(&mut v, 300);
        assert_eq!(v, [5, 0xac, 0x02]);
    }

    /// The example site of the repository, as a build would load it.
    fn example_site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::render::fixture::load(root, "2026-12-03T00:00:00Z").0
    }

    /// Every file of the index, records made as the render queue makes them.
    fn files(site: &Site, index: &SearchIndex) -> Vec<(String, Vec<u8>)> {
        let bytes = |d: &OutData| d.bytes().expect("bytes in memory").into_owned();
        let mut all: Vec<(String, Vec<u8>)> = index
            .files
            .iter()
            .map(|f| (f.path.clone(), bytes(&f.data)))
            .collect();
        all.extend(
            index
                .records
                .iter()
                .map(|(path, i)| (path.clone(), page_record(site, *i))),
        );
        all
    }

    #[test]
    fn chunks_of_pages_give_the_bytes_of_one_chunk() {
        let site = example_site();
        assert!(site.pages.len() > 10, "enough pages to split");
        let whole = build_in_chunks(&site, site.pages.len()).expect("an index");
        // Sizes that split the pages evenly, unevenly, and one page at a time.
        for size in [1, 2, 3, 5, site.pages.len() - 1] {
            let chunked = build_in_chunks(&site, size).expect("an index");
            assert_eq!(chunked.meta_url, whole.meta_url, "chunks of {size}");
            assert!(
                files(&site, &chunked) == files(&site, &whole),
                "chunks of {size}"
            );
        }
        // Every page has its own record.
        let records = files(&site, &whole)
            .into_iter()
            .filter(|(path, _)| path.contains("/d/"))
            .count();
        assert_eq!(records, site.pages.len());
    }
}
