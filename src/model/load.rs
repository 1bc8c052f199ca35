//! The full load of the model from the input ([`load`]): every Markdown file's front
//! matter (first pass, in parallel), sections, URLs, assets, every body rendered with
//! links resolved (second pass), section lists, taxonomies, aliases and the warnings
//! in force at `now`. It reads nothing but the input and the cache.

use super::*;

/// One Markdown file after the first pass.
#[derive(Clone)]
pub(super) struct Loaded {
    pub(super) file: source::MarkdownFile,
    pub(super) text: Arc<str>,
    pub(super) body_offset: usize,
    pub(super) kind: Kind,
    /// Boxed: a file's loading lives beside every rendered body until the pages are
    /// made, and the front matter inline made each of them a kilobyte.
    pub(super) page: Option<Box<PageMeta>>,
    pub(super) section: Option<SectionMeta>,
    pub(super) diags: Vec<Diagnostic>,
    /// Taken from the cache unchanged.
    pub(super) reused: bool,
}

pub(super) fn load_one(file: source::MarkdownFile, decoded: &Text, config: &Config) -> Loaded {
    let mut diags = decoded.diagnostics.clone();
    let text: Arc<str> = decoded.text.clone();
    let content_rel = content_rel(&file.rel);
    let first = content_rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let kind = match (file.role, content_rel.components().count()) {
        // content/a.md and content/_index.md are site pages, not any section's.
        (Role::Page, 1) | (Role::Section, 1) => Kind::Page,
        // content/x/index.md is a bundle at the root.
        (Role::Bundle, 2) => Kind::Page,
        _ => Kind::from_section(first.as_deref().unwrap_or("")),
    };
    let mut fm_diags = Vec::new();
    let split = front_matter::split(&text, &mut fm_diags);
    let body_offset = split.body_offset;
    let table = match (split.front, split.format) {
        (Some((front, off)), Some(fmt)) => front_matter::parse(front, off, fmt, &mut fm_diags),
        _ => Vec::new(),
    };
    let anchor = 0..split.front.map(|_| 3).unwrap_or(0);
    let (page, section) = if file.role == Role::Section {
        let (m, d) = meta::section_meta(&table, anchor);
        fm_diags.extend(d);
        (None, Some(m))
    } else if fm_diags.iter().any(Diagnostic::is_error) {
        // The front matter did not parse: what it lacks would only repeat that.
        (None, None)
    } else if split.front.is_none() {
        fm_diags.push(
            Diagnostic::error(text!(zh: "页面没有 front matter，缺少标题", en: "the page has no front matter and so no title"))
                .at(0..0)
                .with_help(text!(
                    zh: "在文件开头加上：\n+++\ntitle = \"标题\"\n+++",
                    en: "start the file with:\n+++\ntitle = \"Title\"\n+++"
                )),
        );
        (None, None)
    } else {
        let (m, d) = meta::page_meta(&table, kind, &config.timezone, &config.levels, anchor);
        fm_diags.extend(d);
        fm_diags.extend(meta::placeholders(&text[body_offset..], body_offset));
        (Some(Box::new(m)), None)
    };
    diags.extend(fm_diags.into_iter().map(|d| d.in_file(&file.rel)));
    Loaded {
        file,
        text,
        body_offset,
        kind,
        page,
        section,
        diags,
        reused: false,
    }
}

/// Loads and renders the whole site. Returns `None` only when nothing sensible can be
/// built (no config); otherwise a site plus every diagnostic found.
///
/// `texts`, for a one-shot build (`build`, `check`, `print`), are the Markdown texts
/// taken out of the input (`Input::take_markdown`): each file is then privacy-checked
/// (`checks::check_markdown`, whose findings join the diagnostics) as its body is
/// rendered, and its text is freed unless a diagnostic may need its lines (the
/// source of a large site would otherwise be held beside every rendered body, the
/// peak of the build); `sources` gets only the texts kept. Without them (`serve`),
/// every text stays in the input and in `sources`, and the caller checks privacy.
pub(crate) fn load(
    input: &Input,
    texts: Option<HashMap<PathBuf, Text>>,
    config: Config,
    opts: &LoadOptions,
    sources: &mut Sources,
    mut cache: Option<&mut Cache>,
) -> (Site, Links, Vec<Diagnostic>) {
    let (found, content_diags) = input.content();
    let mut diags = content_diags.to_vec();
    let t = std::time::Instant::now();
    let cached = cache.as_deref();
    let no_text = Text {
        text: "".into(),
        diagnostics: Vec::new(),
    };
    let loaded: Vec<(Loaded, bool)> = found
        .markdown
        .par_iter()
        .map(|f| {
            // The input decodes every Markdown file it holds.
            let text = match &texts {
                Some(texts) => texts.get(&f.rel),
                None => input.file(&f.rel).and_then(|i| i.text.as_ref()),
            }
            .unwrap_or(&no_text);
            let entry = cached.and_then(|c| c.files.get(&f.rel));
            match entry {
                Some(c)
                    if Arc::ptr_eq(&c.loaded.text, &text.text) && c.loaded.file.role == f.role =>
                {
                    let mut l = c.loaded.clone();
                    l.reused = true;
                    (l, true)
                }
                _ => (load_one(f.clone(), text, &config), false),
            }
        })
        .collect();
    if let Some(cache) = cache.as_deref_mut() {
        // Files that are gone are forgotten; changed ones are replaced below.
        let present: std::collections::HashSet<&Path> =
            loaded.iter().map(|(l, _)| l.file.rel.as_path()).collect();
        cache.files.retain(|rel, _| present.contains(rel.as_path()));
        for (l, reused) in &loaded {
            if !reused {
                cache.files.insert(
                    l.file.rel.clone(),
                    CachedFile {
                        loaded: l.clone(),
                        body: None,
                    },
                );
            }
        }
    }
    let mut loaded: Vec<Loaded> = loaded.into_iter().map(|(l, _)| l).collect();
    // From here on each `Loaded` holds the only reference to a taken text.
    let one_shot = texts.is_some();
    drop(texts);
    crate::base::trace::trace("read + front matter", t);

    let (mut sections, section_of_dir) = find_sections(&loaded, &config, &mut diags);

    // Pages: decide which are published and compute their URLs.
    struct Pending {
        loaded: usize,
        section: usize,
        path: String,
    }
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_path: HashMap<String, PathBuf> = HashMap::new();
    // Content-relative source path ("notices/a.md") → output path, for link resolution.
    let mut link_index: HashMap<String, String> = HashMap::new();
    let mut unpublished: std::collections::HashSet<String> = std::collections::HashSet::new();
    // The first scheduled page to come due: the site changes then without an edit.
    let mut next_scheduled: Option<Zoned> = None;
    let mut left_out = (0, 0);
    let mut draft_refs: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut published_refs: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, l) in loaded.iter().enumerate() {
        if l.file.role == Role::Section {
            let crel = content_rel(&l.file.rel);
            let path = match crel.parent().and_then(|p| p.components().next()) {
                Some(c) => section_of_dir
                    .get(&*c.as_os_str().to_string_lossy())
                    .map(|&s| sections[s].path.clone()),
                None => Some(String::new()),
            };
            if let Some(p) = path {
                link_index.insert(slash_path(crel), p);
            }
            continue;
        }
        let Some(meta) = &l.page else { continue };
        let refs = file_refs(&l.text, l.body_offset, &l.file.rel);
        if meta.draft && !opts.drafts {
            unpublished.insert(slash_path(content_rel(&l.file.rel)));
            left_out.0 += 1;
            draft_refs.extend(refs);
            continue;
        }
        // A page is due at its date, a warning without one when it is issued.
        let due = meta
            .date
            .as_ref()
            .or(meta.warning.as_ref().map(|w| &w.issued))
            .filter(|d| **d > opts.now);
        if let (Some(due), false) = (due, opts.drafts) {
            unpublished.insert(slash_path(content_rel(&l.file.rel)));
            if next_scheduled.as_ref().is_none_or(|n| due < n) {
                next_scheduled = Some(due.clone());
            }
            left_out.1 += 1;
            draft_refs.extend(refs);
            continue;
        }
        published_refs.extend(refs);
        let crel = content_rel(&l.file.rel);
        let mut dirs: Vec<String> = crel
            .parent()
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let stem_source = if l.file.role == Role::Bundle {
            dirs.pop().unwrap_or_default()
        } else {
            crel.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let section = match dirs.first() {
            Some(d) => section_of_dir.get(d).copied().unwrap_or(0),
            None => 0,
        };
        let slug = match &meta.slug {
            Some(s) => s.value.clone(),
            None => crate::base::slug::slugify(&stem_source),
        };
        if slug.is_empty() {
            diags.push(
                Diagnostic::error(text!(
                    zh: "无法从文件名 `{stem_source}` 生成网址",
                    en: "cannot make a URL from the file name `{stem_source}`"
                ))
                .in_file(&l.file.rel)
                .with_help(text!(zh: "在 front matter 中加上 slug = \"wang-zhi\"（小写字母、数字和 -）", en: "set slug = \"my-page\" in the front matter")),
            );
            continue;
        }
        let mut path = String::new();
        for d in &dirs {
            let s = crate::base::slug::slugify(d);
            if !s.is_empty() {
                path.push_str(&s);
                path.push('/');
            }
        }
        path.push_str(&slug);
        path.push('/');
        if let Some(other) = by_path.get(&path) {
            diags.push(
                Diagnostic::error(text!(
                    zh: "这个页面的网址 /{path} 与 {} 相同",
                    en: "this page's URL /{path} is the same as {}'s",
                    crate::base::diagnostic::display_path(other)
                ))
                .in_file(&l.file.rel)
                .with_help(text!(zh: "在其中一个页面的 front matter 中设置不同的 slug", en: "set a different slug in one of them")),
            );
            continue;
        }
        by_path.insert(path.clone(), l.file.rel.clone());
        link_index.insert(slash_path(crel), path.clone());
        pending.push(Pending {
            loaded: i,
            section,
            path,
        });
    }

    // Assets: a bundle's files go beside its page; other files keep their folder.
    let bundle_out: HashMap<PathBuf, String> = pending
        .iter()
        .filter(|p| loaded[p.loaded].file.role == Role::Bundle)
        .filter_map(|p| {
            content_rel(&loaded[p.loaded].file.rel)
                .parent()
                .map(|d| (d.to_path_buf(), p.path.clone()))
        })
        .collect();
    let unpublished_bundles: Vec<PathBuf> = loaded
        .iter()
        .filter(|l| l.file.role == Role::Bundle)
        .filter_map(|l| content_rel(&l.file.rel).parent().map(Path::to_path_buf))
        .filter(|d| !bundle_out.contains_key(d))
        .collect();
    let mut assets = Vec::new();
    // Content-relative asset path → output path.
    let mut asset_index: HashMap<String, String> = HashMap::new();
    for a in &found.assets {
        let owner = a
            .content_rel
            .ancestors()
            .skip(1)
            .find_map(|d| bundle_out.get(d).map(|out| (d, out)));
        let out = match owner {
            Some((dir, out)) => format!(
                "{out}{}",
                slash_path(a.content_rel.strip_prefix(dir).unwrap_or(&a.content_rel))
            ),
            None => {
                // A draft's files are published with it, not before.
                let rel = slash_path(&a.content_rel);
                if unpublished_bundles
                    .iter()
                    .any(|d| a.content_rel.starts_with(d))
                    || (draft_refs.contains(&rel) && !published_refs.contains(&rel))
                {
                    continue;
                }
                slash_path(&a.content_rel)
            }
        };
        asset_index.insert(slash_path(&a.content_rel), out.clone());
        assets.push(AssetCopy {
            abs: a.abs.clone(),
            out,
        });
    }

    // Second pass: render every body with links resolved.
    let mut links = Links {
        base_path: config.base_path.clone(),
        base_url: config.base_url.clone(),
        markdown: markdown::Settings {
            indented_code: config.indented_code,
            allowed_mobiles: config
                .privacy_allow
                .iter()
                .map(|a| crate::base::pii::normalise(a))
                .collect(),
        },
        base_host: config.home_host.clone(),
        link_index,
        asset_index,
        unpublished,
        draft_refs,
        page_of_rel: HashMap::new(),
        page_of_path: HashMap::new(),
        anchors: BTreeMap::new(),
    };
    let resolver = links.resolver();
    // A cached body still holds if its file is unchanged, it has the same URL, every
    // link resolves as before and the files beside it are the same.
    let cached = cache.as_deref();
    let still_good = |l: &Loaded, page_path: &str| -> Option<(Arc<RenderedBody>, u64)> {
        let c = cached?.files.get(&l.file.rel)?.body.as_ref()?;
        let dir = slash_path(content_rel(&l.file.rel).parent().unwrap_or(Path::new("")));
        let good = l.reused
            && c.page_path == page_path
            && c.dir
                .as_ref()
                .is_none_or(|(read, fp)| *fp == data_fingerprint(input, &l.file.rel, read))
            && c.links
                .iter()
                .all(|(dest, image, r)| resolver.resolve(dest, &dir, page_path, *image) == *r);
        good.then(|| (c.out.clone(), c.version))
    };
    let body_of = |l: &Loaded, page_path: &str| match still_good(l, page_path) {
        Some((out, version)) => (out, version, None),
        None => {
            let fresh = render_body(l, page_path, &resolver, input);
            // What a cache would check the body against (its links) is dropped at
            // once without a cache, not held for every page to the end of the pass.
            (fresh.out.clone(), 0, cached.is_some().then_some(fresh))
        }
    };

    let t = std::time::Instant::now();
    // Every file in one pass: a section's body, a published page's body, and in a
    // one-shot build every file's privacy check (drafts too: they are published one
    // day), after which its text goes unless a diagnostic may show its lines.
    let mut page_path: Vec<Option<&str>> = vec![None; loaded.len()];
    for p in &pending {
        page_path[p.loaded] = Some(&p.path);
    }
    let allow = &config.privacy_allow;
    let gone: Arc<str> = Arc::from("");
    let made: Vec<_> = loaded
        .par_iter_mut()
        .zip(&page_path)
        .map(|(l, path)| {
            let body = match (l.file.role, path) {
                (Role::Section, _) => Some(body_of(l, "")),
                (_, Some(path)) => Some(body_of(l, path)),
                _ => None,
            };
            if !one_shot {
                return (body, Vec::new(), true);
            }
            let waivers = match (path, &l.page) {
                (Some(_), Some(meta)) => &meta.privacy_allow[..],
                _ => &[],
            };
            let privacy = crate::checks::check_markdown(&l.file.rel, &l.text, waivers, allow);
            // Dead links and anchors are checked later, against the rendered site.
            let keep = !privacy.is_empty()
                || !l.diags.is_empty()
                || body.as_ref().is_some_and(|(out, _, _)| {
                    !out.diags.is_empty() || !out.anchors.is_empty() || !out.site_links.is_empty()
                });
            if !keep {
                l.text = gone.clone();
            }
            (body, privacy, keep)
        })
        .collect();
    let mut kept = Vec::with_capacity(made.len());
    let mut bodies = Vec::with_capacity(made.len());
    for (body, privacy, keep) in made {
        diags.extend(privacy);
        kept.push(keep);
        bodies.push(body);
    }
    let rendered_pages: Vec<_> = pending
        .iter()
        .filter_map(|p| Some((p.loaded, bodies[p.loaded].take()?)))
        .collect();
    let section_bodies: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .filter_map(|(i, b)| Some((i, b?)))
        .collect();
    crate::base::trace::trace("markdown", t);
    // New bodies get a new version and go into the cache.
    let mut remember = |i: usize, fresh: Option<CachedBody>, version: u64| -> u64 {
        let (Some(cache), Some(mut fresh)) = (cache.as_deref_mut(), fresh) else {
            return version;
        };
        let v = cache.version();
        fresh.version = v;
        if let Some(c) = cache.files.get_mut(&loaded[i].file.rel) {
            c.body = Some(fresh);
        }
        v
    };
    let rendered_pages: Vec<(Arc<RenderedBody>, u64)> = rendered_pages
        .into_iter()
        .map(|(i, (out, version, fresh))| (out, remember(i, fresh, version)))
        .collect();

    for (i, (out, version, fresh)) in section_bodies {
        remember(i, fresh, version);
        diags.extend(out.diags.iter().cloned());
        let rel = &loaded[i].file.rel;
        if let Some(s) = sections
            .iter_mut()
            .find(|s| s.rel.as_deref() == Some(rel.as_path()))
        {
            s.html = out.html.to_string();
            s.site_links = out.site_links.clone();
        }
    }

    let mut pages = Vec::with_capacity(pending.len());
    for l in loaded.iter_mut() {
        diags.append(&mut l.diags);
    }
    for (p, (body, version)) in pending.into_iter().zip(rendered_pages) {
        // The front matter moves from the file's loading into its page.
        let meta = loaded[p.loaded].page.take().map(|m| *m).unwrap_or_default();
        diags.extend(body.diags.iter().cloned());
        let rel = loaded[p.loaded].file.rel.clone();
        if !body.anchors.is_empty() {
            links.anchors.insert(rel.clone(), body.anchors.clone());
        }
        let l = &loaded[p.loaded];
        let source = PageSource {
            index: pages.len(),
            file: l.file.clone(),
            text: l.text.clone(),
            body_offset: l.body_offset,
        };
        links.page_of_rel.insert(rel.clone(), source);
        links.page_of_path.insert(p.path.clone(), pages.len());
        // Each page goes into its `Arc` at once: collecting them into `Arc`s at the end
        // held the pages twice for a moment, the peak of a large build.
        pages.push(Arc::new(Page::new(
            rel,
            loaded[p.loaded].kind,
            meta,
            p.section,
            p.path,
            &body,
            version,
        )));
    }

    for (l, _) in loaded.iter().zip(&kept).filter(|(_, &keep)| keep) {
        sources.texts.insert(l.file.rel.clone(), l.text.clone());
    }
    // A file's loading (about 1 KB a file, most of it the front matter's room) is
    // done with: kept to the end, it was part of the peak of a large build.
    drop(loaded);

    // Section lists.
    for (i, p) in pages.iter().enumerate() {
        sections[p.section].pages.push(i);
    }
    let now = opts.now.clone();
    for s in &mut sections {
        let sort_by = s.meta.sort_by;
        let kind = s.kind;
        s.pages
            .sort_by(|&a, &b| list_order(kind, sort_by, &now, &pages[a], &pages[b]));
    }
    let sections = order_sections(sections, &mut pages);

    let t = std::time::Instant::now();
    let taxonomies = taxonomies(&mut pages, &mut diags);

    crate::base::trace::trace("taxonomies", t);
    let aliases = page_aliases(&pages, &mut diags);
    let active_warnings = warnings_in_force(&pages, &now);

    let site = Site {
        config,
        now,
        sections,
        pages,
        taxonomies,
        assets,
        aliases,
        active_warnings,
        next_scheduled,
        left_out,
        leaflet_pdfs: Default::default(),
    };
    diags.extend(links.anchor_diagnostics(&site, None));
    (site, links, diags)
}

/// The order of a section's list: warnings in force first, most severe first; then
/// by date (newest first) or weight, as the section asks; then by title and path.
pub(super) fn list_order(
    kind: Kind,
    sort_by: SortBy,
    now: &Zoned,
    pa: &Page,
    pb: &Page,
) -> std::cmp::Ordering {
    if kind == Kind::Warning {
        let rank = |p: &Page| {
            p.meta.warning.as_ref().map(|w| {
                (
                    warning_status(w, now) == WarningStatus::Active,
                    w.level.rank,
                )
            })
        };
        let c = rank(pb).cmp(&rank(pa));
        if c.is_ne() {
            return c;
        }
    }
    let by_weight = pa.meta.weight.cmp(&pb.meta.weight);
    let by_date = pb.sort_date().cmp(&pa.sort_date());
    let first = if sort_by == SortBy::Weight {
        by_weight.then(by_date)
    } else {
        by_date.then(by_weight)
    };
    first
        .then_with(|| pa.meta.title.cmp(&pb.meta.title))
        .then_with(|| pa.path.cmp(&pb.path))
}

/// The home, then one section per top-level folder that has pages or an `_index.md`,
/// with the index of each folder's section.
fn find_sections(
    loaded: &[Loaded],
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Section>, HashMap<String, usize>) {
    let mut sections = vec![Section {
        rel: None,
        kind: Kind::Page,
        path: String::new(),
        title: config.title.clone(),
        meta: SectionMeta::default(),
        html: String::new(),
        site_links: Vec::new(),
        pages: Vec::new(),
    }];
    let mut section_of_dir: HashMap<String, usize> = HashMap::new();
    for l in loaded {
        let crel = content_rel(&l.file.rel);
        let comps: Vec<String> = crel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if l.file.role == Role::Section {
            if comps.len() == 1 {
                let s = &mut sections[0];
                s.rel = Some(l.file.rel.clone());
                if let Some(m) = &l.section {
                    if let Some(t) = &m.title {
                        s.title = t.clone();
                    }
                    s.meta = m.clone();
                }
                continue;
            }
            if comps.len() > 2 {
                diags.push(
                    Diagnostic::warning(text!(
                        zh: "暂不支持多级栏目：这个 _index.md 不会生效，其中的页面归入上一级栏目",
                        en: "nested sections are not supported yet: this _index.md is ignored and its pages belong to the parent section"
                    ))
                    .in_file(&l.file.rel),
                );
                continue;
            }
        }
        let is_root_page = matches!(
            (l.file.role, comps.len()),
            (Role::Page, 1) | (Role::Bundle, 2)
        );
        if is_root_page {
            continue;
        }
        let dir = comps[0].clone();
        let idx = *section_of_dir.entry(dir.clone()).or_insert_with(|| {
            let kind = Kind::from_section(&dir);
            let title = if kind == Kind::Page {
                dir.clone()
            } else {
                kind.section_title().to_string()
            };
            sections.push(Section {
                rel: None,
                kind,
                path: format!("{}/", crate::base::slug::slugify(&dir)),
                title,
                meta: SectionMeta::default(),
                html: String::new(),
                site_links: Vec::new(),
                pages: Vec::new(),
            });
            sections.len() - 1
        });
        if l.file.role == Role::Section {
            let s = &mut sections[idx];
            s.rel = Some(l.file.rel.clone());
            if let Some(m) = &l.section {
                if let Some(t) = &m.title {
                    s.title = t.clone();
                }
                s.meta = m.clone();
            }
        }
    }
    (sections, section_of_dir)
}

/// Sections in a stable, meaningful order: home, known kinds, then by weight and
/// name; each page's `section` follows its section to its new place.
fn order_sections(sections: Vec<Section>, pages: &mut [Arc<Page>]) -> Vec<Section> {
    let order = |s: &Section| {
        let known = [
            Kind::Warning,
            Kind::Notice,
            Kind::Campaign,
            Kind::Stats,
            Kind::Leaflet,
        ]
        .iter()
        .position(|k| *k == s.kind)
        .unwrap_or(99);
        (
            if s.path.is_empty() { 0 } else { 1 },
            s.meta.weight,
            known,
            s.path.clone(),
        )
    };
    let mut perm: Vec<usize> = (0..sections.len()).collect();
    perm.sort_by_key(|&i| order(&sections[i]));
    let mut new_index = vec![0; sections.len()];
    for (new, &old) in perm.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Section>> = sections.into_iter().map(Some).collect();
    let sections: Vec<Section> = perm
        .iter()
        .map(|&i| slots[i].take().expect("each section once"))
        .collect();
    for p in pages.iter_mut() {
        let p = Arc::make_mut(p);
        p.section = new_index[p.section];
    }
    sections
}

/// Aliases: old URLs that redirect to a page, each with the page's index.
fn page_aliases(pages: &[Arc<Page>], diags: &mut Vec<Diagnostic>) -> Vec<(String, usize)> {
    let mut aliases = Vec::new();
    for (pi, p) in pages.iter().enumerate() {
        for a in &p.meta.aliases {
            let path = a.value.trim().trim_start_matches('/');
            if path.is_empty() || path.contains("..") || path.contains(['?', '#', '\\']) {
                diags.push(
                    Diagnostic::error(text!(zh: "别名 `{}` 不是有效的站内路径", en: "alias `{}` is not a valid site path", a.value))
                        .in_file(&p.rel)
                        .at(a.span.clone())
                        .with_help(text!(zh: "例如 aliases = [\"old/fang-xun/\"]", en: "e.g. aliases = [\"old/page/\"]")),
                );
                continue;
            }
            let out = if path.ends_with(".html") || path.ends_with('/') {
                path.to_string()
            } else {
                format!("{path}/")
            };
            aliases.push((out, pi));
        }
    }
    aliases
}

/// The warnings in force at `now`, most severe first, then newest first.
fn warnings_in_force(pages: &[Arc<Page>], now: &Zoned) -> Vec<usize> {
    let mut active_warnings: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.meta
                .warning
                .as_ref()
                .is_some_and(|w| warning_status(w, now) == WarningStatus::Active)
        })
        .map(|(i, _)| i)
        .collect();
    let level = |i: &usize| {
        pages[*i]
            .meta
            .warning
            .as_ref()
            .map(|w| w.level.rank)
            .unwrap_or(0)
    };
    active_warnings.sort_by(|a, b| {
        level(b)
            .cmp(&level(a))
            .then_with(|| pages[*b].sort_date().cmp(&pages[*a].sort_date()))
    });
    active_warnings
}
