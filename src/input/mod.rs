//! Reading the site folder, once, at the edge: `site::Input` is every file a build
//! reads (one walk, stamps, decoded texts: UTF-8 with or without BOM, GB18030,
//! UTF-16), and `theme` lays the theme's templates and static files out of it. It must not interpret Markdown, front matter or templates.

pub mod site;
pub(crate) mod source;
pub(crate) mod theme;
