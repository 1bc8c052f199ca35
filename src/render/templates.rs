//! Builds the Tera set from the theme (with the `date_zh`/`datetime_zh` filters),
//! picks the template of a page kind, and turns Tera's errors into diagnostics that
//! point into the template file. It must not render anything, and must not stop at
//! the first broken template: a clerk fixing a theme wants every error at once.

use tera::{Kwargs, State, Tera};

use crate::base::dates::{date_zh, datetime_zh};
use crate::base::diagnostic::Diagnostic;
use crate::input::theme::Theme;
use crate::parse::meta::Kind;
use crate::text;

pub(super) fn build_tera(theme: &Theme) -> (Tera, Vec<Diagnostic>) {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    tera.register_filter("date_zh", |s: &str, _: Kwargs, _: &State| date_zh(s));
    tera.register_filter("datetime_zh", |s: &str, _: Kwargs, _: &State| {
        datetime_zh(s)
    });
    let mut diags = Vec::new();
    let all: Vec<(&str, &str)> = theme
        .templates
        .values()
        .map(|t| (t.name.as_str(), t.text.as_str()))
        .collect();
    if let Err(err) = tera.add_raw_templates(all) {
        diags.push(template_diagnostic(&err, theme));
        // Keep going with the templates that do parse, one by one, so every broken
        // template is reported, not just the first.
        let mut t2 = Tera::new();
        for t in theme.templates.values() {
            if let Err(e) = t2.add_raw_template(&t.name, &t.text) {
                let d = template_diagnostic(&e, theme);
                if !diags.contains(&d) {
                    diags.push(d);
                }
            }
        }
    }
    (tera, diags)
}

/// Turns a Tera error into a diagnostic pointing into the template file.
pub(super) fn template_diagnostic(err: &tera::Error, theme: &Theme) -> Diagnostic {
    use tera::ErrorKind;
    let (report, what) = match err.kind() {
        ErrorKind::SyntaxError(r) => (Some(r), ("模板语法错误", "template syntax error")),
        ErrorKind::RenderingError(r) => (Some(r), ("模板渲染出错", "template rendering failed")),
        _ => (None, ("模板出错", "template error")),
    };
    match report {
        Some(r) => {
            let t = theme.templates.get(r.filename());
            let mut d =
                Diagnostic::error(text!(zh: "{}：{}", en: "{}: {}", what.0, r.message()).clone());
            d.message.en = format!("{}: {}", what.1, r.message());
            if let Some(t) = t {
                d = d.in_file(&t.display).at(r.span().range.clone());
            } else if !r.filename().is_empty() {
                d = d.in_file(r.filename());
            }
            d
        }
        None => {
            let mut msg = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            Diagnostic::error(text!(zh: "模板出错：{msg}", en: "template error: {msg}"))
        }
    }
}

/// A page's template: `<kind>.html` when the theme has one, else `page.html`.
pub(super) fn template_for(tera: &Tera, kind: Kind) -> String {
    let specific = format!("{}.html", kind.name());
    if tera.contains_template(&specific) {
        specific
    } else {
        "page.html".into()
    }
}
