//! TEMPORARY shim with the agreed interface; replaced by the full module.
use std::ops::Range;

pub struct LinkRef<'a> {
    pub dest: &'a str,
    pub span: Range<usize>,
    pub is_image: bool,
}
pub struct DataBlock<'a> {
    pub info: &'a str,
    pub body: &'a str,
    pub span: Range<usize>,
}
#[allow(clippy::type_complexity)]
pub struct Options<'a> {
    pub resolve_link: &'a mut dyn FnMut(&LinkRef) -> Option<String>,
    pub data_block: Option<&'a mut dyn FnMut(&DataBlock) -> Option<String>>,
}
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}
pub struct Rendered {
    pub html: String,
    pub summary_html: Option<String>,
    pub text: String,
    pub headings: Vec<Heading>,
    pub has_code: bool,
}
pub fn render(body: &str, opts: &mut Options) -> Rendered {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut text = String::new();
    let mut headings = Vec::new();
    let events: Vec<Event> = Parser::new_ext(body, pulldown_cmark::Options::all())
        .into_offset_iter()
        .map(|(ev, range)| match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let r = LinkRef {
                    dest: &dest_url,
                    span: range,
                    is_image: false,
                };
                let d = (opts.resolve_link)(&r)
                    .map(Into::into)
                    .unwrap_or(dest_url.clone());
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: d,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let r = LinkRef {
                    dest: &dest_url,
                    span: range,
                    is_image: true,
                };
                let d = (opts.resolve_link)(&r)
                    .map(Into::into)
                    .unwrap_or(dest_url.clone());
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: d,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Heading { level, .. }) => {
                headings.push(Heading {
                    level: level as u8,
                    id: String::new(),
                    title: String::new(),
                });
                ev
            }
            Event::Text(ref t) => {
                text.push_str(t);
                ev
            }
            Event::End(TagEnd::Paragraph) => {
                text.push('\n');
                ev
            }
            _ => ev,
        })
        .collect();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered {
        html,
        summary_html: None,
        text,
        headings,
        has_code: false,
    }
}
