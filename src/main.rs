//! The `anxuan` command: parses arguments, runs the pipeline, prints diagnostics and
//! decides the exit code (0 success, 1 content or build errors, 2 bad usage). It must
//! not contain pipeline logic: every stage runs through `anxuan::pipeline`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use anxuan::base::diagnostic::{self, Diagnostic, Lang};
use anxuan::parse::meta::Kind;
use anxuan::pipeline::{self, BuildOptions};
use anxuan::scaffold;

#[derive(Parser)]
#[command(
    name = "anxuan",
    version,
    about = "安宣：把乡镇安全宣传的 Markdown 文稿生成适合手机阅读的网站和宣传单"
)]
struct Cli {
    /// 提示语言：zh（中文，默认）或 en（English）；也可设置环境变量 ANXUAN_LANG
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 生成网站到 public/ 文件夹
    Build {
        /// 站点目录（含 config.toml 和 content/），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录，默认 <站点目录>/public
        #[arg(long)]
        output: Option<PathBuf>,
        /// 覆盖 config.toml 中的 base_url
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// 把“现在”固定为这个时间（RFC 3339，例如 2023-06-04T08:00:00+08:00）
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// 同时生成草稿（draft = true）和定时发布的页面
        #[arg(long)]
        drafts: bool,
    },
    /// 生成网站并在本机预览
    Serve {
        /// 站点目录（含 config.toml 和 content/），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 监听地址，默认 127.0.0.1；用 0.0.0.0 可让同一 Wi-Fi 下的手机访问
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// 端口，默认 1111；0 表示自动选择
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// 把“现在”固定为这个时间（RFC 3339，例如 2023-06-04T08:00:00+08:00）
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// 不自动刷新浏览器（不注入刷新脚本）
        #[arg(long)]
        no_reload: bool,
        /// 每半秒查看一次文件有没有变化（网络盘、虚拟机等收不到文件变化通知时用）
        #[arg(long)]
        poll: bool,
        /// 允许局域网里的其他电脑编辑（和 --bind 0.0.0.0 一起用）：终端里显示一个只能用一次的编辑码
        #[arg(long)]
        edit_on_lan: bool,
    },
    /// 检查全部内容，不写出文件
    Check {
        /// 站点目录（含 config.toml 和 content/），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 把“现在”固定为这个时间（RFC 3339，例如 2023-06-04T08:00:00+08:00）
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
    },
    /// 在 DIR 新建一个可以直接生成的示例站点
    Init {
        /// 新站点的文件夹
        dir: PathBuf,
    },
    /// 新建一篇文稿：notice（通知）、warning（预警）、campaign（活动）、stats（统计）、leaflet（宣传单）
    New {
        /// 类型：notice、warning、campaign、stats、leaflet
        kind: String,
        /// 标题，例如 "暴雨红色预警"（预警的级别和灾害种类从标题里取）
        title: String,
        /// 站点目录（含 config.toml），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// 生成每条预警的短信和广播稿、每篇文章的公众号版，写到 channels/ 文件夹（供工作人员用，不公开）
    Channels {
        /// 站点目录（含 config.toml 和 content/），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 只生成这一条预警（网址里的名字，例如 bao-yu-hong-se-yu-jing）
        #[arg(long, value_name = "SLUG")]
        only: Option<String>,
        /// 把“现在”固定为这个时间（RFC 3339）
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
    },
    /// 把 Word/WPS 文档（.docx）或纯文本（.txt）导入为新页面，识别公文的标题层次和成文日期
    Import {
        /// 要导入的文件（.docx，或 .txt：UTF-8 或 GBK）
        file: PathBuf,
        /// 页面类型：notice（默认）、warning、campaign、stats、leaflet
        #[arg(long, default_value = "notice")]
        kind: String,
        /// 站点目录（含 config.toml），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// 把宣传单打印成 PDF（需要本机安装 Chromium、Chrome 或 Edge）
    Print {
        /// 站点目录（含 config.toml 和 content/），默认当前目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录，默认 <站点目录>/public；PDF 写在其中的 leaflets/ 里
        #[arg(long)]
        output: Option<PathBuf>,
        /// 覆盖 config.toml 中的 base_url（二维码指向的网址）
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// 只打印这一张宣传单
        #[arg(long, value_name = "SLUG")]
        only: Option<String>,
        /// 把“现在”固定为这个时间（RFC 3339）
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
    },
}

/// English help, applied when the language is English. Keys are argument ids.
fn english(cmd: clap::Command) -> clap::Command {
    let arg_help = |id: &str| -> Option<&'static str> {
        Some(match id {
            "lang" => "message language: zh (Chinese, default) or en; or set ANXUAN_LANG",
            "root" => "site folder (with config.toml and content/), default: current folder",
            "output" => "output folder, default: <site>/public",
            "base_url" => "override base_url from config.toml (the address QR codes and links use)",
            "now" => "fix the clock at this time (RFC 3339, e.g. 2023-06-04T08:00:00+08:00)",
            "drafts" => "also build drafts (draft = true) and scheduled pages",
            "bind" => "address to listen on, default 127.0.0.1; 0.0.0.0 lets a phone on the same Wi-Fi connect",
            "port" => "port, default 1111; 0 picks a free one",
            "no_reload" => "do not reload browsers on changes (no script injected)",
            "poll" => "look for changed files every half second (for network drives and VMs that send no file events)",
            "edit_on_lan" => "let another computer on the LAN edit (with --bind 0.0.0.0): the terminal shows a code that works once",
            "dir" => "folder for the new site",
            "kind" => "kind: notice, warning, campaign, stats, leaflet (import: notice by default)",
            "title" => "title, e.g. \"暴雨红色预警\" (a warning's level and hazard are taken from it)",
            "help" => "show this help",
            "version" => "show the version",
            "only" => "only this leaflet (print) or warning (channels), by its slug",
            "file" => "the file to import (.docx, or .txt: UTF-8 or GBK)",
            _ => return None,
        })
    };
    let sub_about = |name: &str| -> &'static str {
        match name {
            "build" => "build the site into public/",
            "serve" => "build the site and preview it locally",
            "check" => "check all content without writing output",
            "init" => "create a small starter site in DIR that builds",
            "new" => "create a page: notice, warning, campaign, stats or leaflet",
            "print" => "print leaflets to PDF (needs Chromium, Chrome or Edge)",
            "import" => "import a Word/WPS document (.docx) or a text file (.txt) as a new page, with the levels and date of an official document understood",
            "channels" => "write each warning's SMS and loudspeaker script and each article's 公众号 version into channels/ (for staff, never published)",
            _ => "",
        }
    };
    let fix_args = |mut c: clap::Command| {
        let ids: Vec<String> = c.get_arguments().map(|a| a.get_id().to_string()).collect();
        for id in ids {
            if let Some(h) = arg_help(&id) {
                c = c.mut_arg(id, |a| a.help(h));
            }
        }
        c
    };
    let mut cmd = fix_args(cmd.about("anxuan: turns township safety notices written in Markdown into a phone-friendly website and leaflets"));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let about = sub_about(&name);
        cmd = cmd.mut_subcommand(name, |s| fix_args(s.about(about)));
    }
    cmd
}

/// Help in one language throughout: clap's own words (`Usage:`, `Options:`, `Print
/// help`, `[default: .]`) are replaced, in Chinese or English, on every command.
fn localise(cmd: clap::Command, lang: Lang) -> clap::Command {
    use clap::{Arg, ArgAction};
    let zh = lang == Lang::Zh;
    let (usage, options, arguments, commands) = if zh {
        ("用法：", "选项", "参数", "命令")
    } else {
        ("Usage: ", "Options", "Arguments", "Commands")
    };
    let value_name = |id: &str| -> Option<&'static str> {
        Some(match (id, zh) {
            ("root" | "output" | "dir", true) => "目录",
            ("root" | "output" | "dir", false) => "DIR",
            ("base_url", true) => "网址",
            ("now", true) => "时间",
            ("bind", true) => "地址",
            ("bind", false) => "ADDR",
            ("port", true) => "端口",
            ("port", false) => "PORT",
            ("lang", true) => "语言",
            ("kind", true) => "类型",
            ("kind", false) => "KIND",
            ("title", true) => "标题",
            ("title", false) => "TITLE",
            _ => return None,
        })
    };
    let fix = |c: clap::Command, path: &str| -> clap::Command {
        let mut c = c
            .disable_help_flag(true)
            .help_template(format!(
                "{{about-with-newline}}\n{usage}{{usage}}\n\n{{all-args}}{{after-help}}"
            ))
            .subcommand_help_heading(commands)
            .subcommand_value_name(if zh { "命令" } else { "COMMAND" })
            .arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::Help)
                    .help(if zh {
                        "显示这份帮助"
                    } else {
                        "show this help"
                    }),
            );
        let ids: Vec<(String, bool, bool)> = c
            .get_arguments()
            .map(|a| {
                let takes = a.get_action().takes_values();
                (a.get_id().to_string(), a.is_positional(), takes)
            })
            .collect();
        let mut positionals = Vec::new();
        for (id, positional, takes_values) in &ids {
            let name = value_name(id);
            if *positional {
                positionals.push(format!("<{}>", name.unwrap_or(id)));
            }
            let heading = if *positional { arguments } else { options };
            c = c.mut_arg(id, |a| {
                let a = a.help_heading(heading).hide_default_value(*takes_values);
                match name {
                    Some(n) => a.value_name(n),
                    None => a,
                }
            });
        }
        let opts = if zh { "[选项]" } else { "[OPTIONS]" };
        let tail = if c.has_subcommands() {
            format!(" <{}>", if zh { "命令" } else { "COMMAND" })
        } else {
            positionals.iter().map(|p| format!(" {p}")).collect()
        };
        c.override_usage(format!("{path} {opts}{tail}"))
    };
    let mut cmd = fix(cmd, "anxuan")
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(clap::ArgAction::Version)
                .help(if zh {
                    "显示版本"
                } else {
                    "show the version"
                })
                .help_heading(options),
        );
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let path = format!("anxuan {name}");
        cmd = cmd.mut_subcommand(&name, |s| fix(s, &path));
    }
    cmd
}

/// A usage error in Chinese: clap's messages are English only. Covers what people
/// mistype (an unknown command or option, a missing or bad value); `--lang en` keeps
/// clap's own message.
fn usage_error_zh(e: &clap::Error, cmd: &clap::Command, args: &[String]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let value = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        _ => None,
    };
    let first = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    // The command the mistake is in: the first argument naming a subcommand.
    let sub = args
        .iter()
        .skip(1)
        .find_map(|a| cmd.find_subcommand(a))
        .unwrap_or(cmd);
    let usage = sub.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let typed = value(ContextKind::InvalidSubcommand)?;
            let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
            let near = first(ContextKind::SuggestedSubcommand)
                .or_else(|| anxuan::parse::meta::did_you_mean(&typed, &names).map(str::to_string));
            match near {
                Some(n) => format!("没有 `{typed}` 这个命令。是不是 `{n}`？"),
                None => format!("没有 `{typed}` 这个命令；可用：{}", names.join("、")),
            }
        }
        ErrorKind::UnknownArgument => {
            let typed = value(ContextKind::InvalidArg)?;
            let longs: Vec<String> = sub
                .get_arguments()
                .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
                .collect();
            let longs: Vec<&str> = longs.iter().map(String::as_str).collect();
            let near = first(ContextKind::SuggestedArg)
                .or_else(|| anxuan::parse::meta::did_you_mean(&typed, &longs).map(str::to_string));
            match near {
                Some(n) => format!("不认识的选项 `{typed}`。是不是 `{n}`？"),
                None => format!("不认识的选项 `{typed}`"),
            }
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少 {}", value(ContextKind::InvalidArg)?)
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => format!(
            "{} 的值 `{}` 不对",
            value(ContextKind::InvalidArg)?,
            value(ContextKind::InvalidValue).unwrap_or_default()
        ),
        ErrorKind::NoEquals | ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!("参数有误：{}", value(ContextKind::InvalidArg)?)
        }
        _ => return None,
    };
    Some(format!(
        "用法错误：{message}\n\n用法：{usage}\n\n查看全部命令和选项：anxuan --help"
    ))
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    // `anxuan help build` as `anxuan build --help`: clap's own help command would
    // answer in English.
    if let Some(i) = args.iter().skip(1).position(|a| !a.starts_with('-')) {
        if args[i + 1] == "help" {
            args.remove(i + 1);
            args.push("--help".into());
        }
    }
    let lang_flag = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--lang=").map(str::to_string))
        });
    let lang = Lang::detect(lang_flag.as_deref());
    let mut cmd = Cli::command();
    if lang == Lang::En {
        cmd = english(cmd);
    }
    let cmd = localise(cmd, lang);
    let cli = match cmd
        .clone()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            match (lang, e.use_stderr()) {
                (Lang::Zh, true) => match usage_error_zh(&e, &cmd, &args) {
                    Some(m) => eprintln!("{m}"),
                    None => {
                        let _ = e.print();
                    }
                },
                _ => {
                    let _ = e.print();
                }
            }
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let lang = Lang::detect(cli.lang.as_deref());
    match run(cli.command, lang) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "{}",
                if lang == Lang::Zh {
                    format!("错误：{e:#}")
                } else {
                    format!("error: {e:#}")
                }
            );
            ExitCode::from(1)
        }
    }
}

fn usage_error(lang: Lang, zh: &str, en: &str) -> ExitCode {
    eprintln!(
        "{}",
        if lang == Lang::Zh {
            format!("用法错误：{zh}")
        } else {
            format!("usage error: {en}")
        }
    );
    ExitCode::from(2)
}

fn parse_now(now: Option<&str>, lang: Lang) -> Result<Option<jiff::Timestamp>, ExitCode> {
    match now {
        None => Ok(None),
        Some(s) => pipeline::parse_now(s).map(Some).ok_or_else(|| {
            usage_error(
                lang,
                &format!("--now 的时间 `{s}` 无法识别，请写成 2023-06-04T08:00:00+08:00"),
                &format!("cannot read --now `{s}`; write it as 2023-06-04T08:00:00+08:00"),
            )
        }),
    }
}

fn print_diagnostics(diags: &[Diagnostic], sources: &dyn diagnostic::SourceLookup, lang: Lang) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in diags {
        let _ = writeln!(err, "{}\n", diagnostic::render(d, sources, lang));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 || warnings > 0 {
        let _ = match lang {
            Lang::Zh => writeln!(err, "共 {errors} 个错误，{warnings} 个警告"),
            Lang::En => writeln!(err, "{errors} error(s), {warnings} warning(s)"),
        };
    }
}

fn run(command: Command, lang: Lang) -> anyhow::Result<ExitCode> {
    match command {
        Command::Build {
            root,
            output,
            base_url,
            now,
            drafts,
        } => {
            let now = match parse_now(now.as_deref(), lang) {
                Ok(n) => n,
                Err(code) => return Ok(code),
            };
            let out_dir = pipeline::default_output(&root, output.as_deref());
            let report = pipeline::build(&BuildOptions {
                root,
                output: Some(out_dir.clone()),
                base_url,
                now,
                drafts,
            });
            print_diagnostics(&report.diagnostics, &report.sources, lang);
            if report.has_errors() {
                match lang {
                    Lang::Zh => eprintln!("生成失败，原有的 {} 保持不变", out_dir.display()),
                    Lang::En => eprintln!("build failed; {} is unchanged", out_dir.display()),
                }
                return Ok(ExitCode::from(1));
            }
            let secs = report.elapsed.as_secs_f64();
            match lang {
                Lang::Zh => println!(
                    "已生成 {} 个页面（{} 个文件），用时 {secs:.2} 秒 → {}{}",
                    report.pages,
                    report.files,
                    out_dir.display(),
                    left_out_note(report.left_out, lang)
                ),
                Lang::En => println!(
                    "built {} pages ({} files) in {secs:.2} s → {}{}",
                    report.pages,
                    report.files,
                    out_dir.display(),
                    left_out_note(report.left_out, lang)
                ),
            }
            if let Some(old) = report.old_output {
                old.remove();
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { root, now } => {
            let now = match parse_now(now.as_deref(), lang) {
                Ok(n) => n,
                Err(code) => return Ok(code),
            };
            let opts = BuildOptions {
                root,
                output: None,
                base_url: None,
                now,
                drafts: false,
            };
            let mut report = pipeline::build(&opts);
            if !report.has_errors() {
                report
                    .diagnostics
                    .extend(leaflets_fit(&opts, &report.leaflets));
            }
            print_diagnostics(&report.diagnostics, &report.sources, lang);
            if report.has_errors() {
                return Ok(ExitCode::from(1));
            }
            match lang {
                Lang::Zh => println!("检查完毕：{} 个页面，没有发现错误", report.pages),
                Lang::En => println!("checked {} pages: no errors", report.pages),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => init(&dir, lang),
        Command::New { kind, title, root } => new_page(&kind, &title, &root, lang),
        Command::Serve {
            root,
            bind,
            port,
            now,
            no_reload,
            poll,
            edit_on_lan,
        } => {
            let now = match parse_now(now.as_deref(), lang) {
                Ok(n) => n,
                Err(code) => return Ok(code),
            };
            let preview = anxuan::serve::Preview {
                live_reload: !no_reload,
                poll,
                edit_on_lan,
            };
            anxuan::serve::run(&root, &bind, port, now, preview, lang)
        }
        Command::Print {
            root,
            output,
            base_url,
            only,
            now,
        } => print(root, output, base_url, only, now, lang),
        Command::Channels { root, only, now } => channels(root, only, now, lang),
        Command::Import { file, kind, root } => import(&file, &kind, &root, lang),
    }
}

/// `anxuan import`: a document as a new page bundle, then the site's checks, so what
/// must not be published is named at the new file's lines.
fn import(file: &Path, kind: &str, root: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    let kind = match parse_kind(kind, lang) {
        Ok(k) => k,
        Err(code) => return Ok(code),
    };
    let format = match anxuan::import::format(file) {
        Ok(f) => f,
        Err(message) => {
            match lang {
                Lang::Zh => eprintln!("错误：{}", message.get(lang)),
                Lang::En => eprintln!("error: {}", message.get(lang)),
            }
            return Ok(ExitCode::from(1));
        }
    };
    if !root.join("config.toml").exists() {
        return Ok(not_a_site(root, lang));
    }
    let converted = match anxuan::import::read(file, format) {
        Ok(c) => c,
        Err(message) => {
            match lang {
                Lang::Zh => eprintln!("错误：{}", message.get(lang)),
                Lang::En => eprintln!("error: {}", message.get(lang)),
            }
            return Ok(ExitCode::from(1));
        }
    };
    let (levels, now) = site_levels_now(root)?;
    let (path, free) = anxuan::import::page_path(root, kind, &converted.title);
    if !free {
        let dir = path.parent().unwrap_or(root);
        let dir = dir.strip_prefix(root).unwrap_or(dir);
        match lang {
            Lang::Zh => eprintln!("错误：{} 已经有了（是不是导入过？），没有覆盖；要再导入，先把它改名或删掉", dir.display()),
            Lang::En => eprintln!("error: {} exists already (imported before?); nothing was overwritten; rename or remove it to import again", dir.display()),
        }
        return Ok(ExitCode::from(1));
    }
    let title = if converted.title.is_empty() {
        "导入的文稿"
    } else {
        &converted.title
    };
    let template = anxuan::scaffold::new_page_text(kind, title, &now, &levels);
    // create_new, index.md and each picture: never over a file that appeared meanwhile.
    anxuan::import::write_bundle(
        &path,
        &anxuan::import::page_text(&template, &converted),
        &converted.images,
    )?;
    for note in &converted.notes {
        match lang {
            Lang::Zh => eprintln!("注意：{}", note.get(lang)),
            Lang::En => eprintln!("note: {}", note.get(lang)),
        }
    }
    let shown = path.strip_prefix(root).unwrap_or(&path);
    println!("{}", shown.display());
    let report = pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: None,
        base_url: None,
        now: None,
        drafts: true,
    });
    let own: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.file.as_deref() == Some(shown))
        .cloned()
        .collect();
    print_diagnostics(&own, &report.sources, lang);
    if own.iter().any(|d| d.is_error()) {
        match lang {
            Lang::Zh => eprintln!("导入的页面里有不能公开的内容（见上）：删掉之前网站不能生成"),
            Lang::En => eprintln!("the imported page holds what must not be published (above): the site will not build until it is removed"),
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `anxuan channels`: the texts staff relay a warning through, written into
/// `channels/<section>/<slug>/` (git-ignored: they are for staff), each SMS printed.
fn channels(
    root: PathBuf,
    only: Option<String>,
    now: Option<String>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let now = match parse_now(now.as_deref(), lang) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let opts = BuildOptions {
        root: root.clone(),
        output: None,
        base_url: None,
        now,
        drafts: false,
    };
    let report = pipeline::build_for_staff(&opts);
    print_diagnostics(&report.diagnostics, &report.sources, lang);
    if report.has_errors() {
        match lang {
            Lang::Zh => eprintln!("有错误，没有生成短信和广播稿"),
            Lang::En => eprintln!("there are errors; no texts were written"),
        }
        return Ok(ExitCode::from(1));
    }
    let slug_of = |path: &str| {
        path.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let mut texts = report.channels;
    let mut articles = report.wechat;
    if let Some(slug) = &only {
        let known: Vec<String> = articles.iter().map(|a| slug_of(&a.path)).collect();
        texts.retain(|t| &slug_of(&t.path) == slug);
        articles.retain(|a| &slug_of(&a.path) == slug);
        if articles.is_empty() {
            match lang {
                Lang::Zh => eprintln!(
                    "错误：没有 slug 为 `{slug}` 的页面；有：{}",
                    known.join("、")
                ),
                Lang::En => eprintln!(
                    "error: no page has the slug `{slug}`; there are: {}",
                    known.join(", ")
                ),
            }
            return Ok(ExitCode::from(2));
        }
    }
    let dir = root.join("channels");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(".gitignore"), "*\n")?;
    for a in &articles {
        let folder = dir.join(a.path.trim_end_matches('/'));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("wechat.html"), &a.html)?;
        if a.title_too_long {
            match lang {
                Lang::Zh => println!(
                    "注意：{} 的标题有 {} 个字，公众号标题最多32个字，发之前请改短",
                    a.path,
                    a.title.chars().count()
                ),
                Lang::En => println!(
                    "note: the title of {} has {} characters; a 公众号 title takes at most 32",
                    a.path,
                    a.title.chars().count()
                ),
            }
        }
        for n in &a.charts_too_big {
            match lang {
                Lang::Zh => println!(
                    "注意：{} 的第 {n} 个图表图片超过 1 MB，公众号编辑器不收；把数据分成几个图表",
                    a.path
                ),
                Lang::En => println!(
                    "note: chart {n} of {} is a picture of 1 MB or more, which the 公众号 editor refuses; split its data into several charts",
                    a.path
                ),
            }
        }
    }
    match lang {
        Lang::Zh => println!(
            "公众号文章 {} 篇（用浏览器打开 wechat.html，全选复制，粘贴到公众号编辑器）",
            articles.len()
        ),
        Lang::En => println!(
            "{} 公众号 article(s) (open wechat.html in a browser, select all, copy, paste into the editor)",
            articles.len()
        ),
    }
    if texts.is_empty() {
        match lang {
            Lang::Zh => println!("没有生效或刚解除的预警，没有短信要发"),
            Lang::En => println!("no warning in force or lifted: no texts to send"),
        }
    }
    for t in &texts {
        let folder = dir.join(t.path.trim_end_matches('/'));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("sms.txt"), format!("{}\n", t.sms))?;
        let mut script = t.script.clone();
        if !t.polyphones.is_empty() {
            script.push_str(&match lang {
                Lang::Zh => format!("\n（读前请确认多音字：{}）\n", t.polyphones.join("、")),
                Lang::En => format!(
                    "\n(check these readings first: {})\n",
                    t.polyphones.join(", ")
                ),
            });
        }
        std::fs::write(folder.join("broadcast.txt"), script)?;
        let n = t.sms.chars().count();
        match lang {
            Lang::Zh => {
                println!("{}（短信 {n} 字）：{}", t.title, t.sms);
                if t.sms_shortened {
                    println!("  注意：短信超过70字，已省去部分内容（如涉及的村），发之前请看一遍");
                }
                println!("  → {}", folder.display());
            }
            Lang::En => {
                println!("{} (SMS, {n} characters): {}", t.title, t.sms);
                if t.sms_shortened {
                    println!("  note: shortened to fit 70 characters (the areas left out, say); read it before sending");
                }
                println!("  → {}", folder.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print(
    root: PathBuf,
    output: Option<PathBuf>,
    base_url: Option<String>,
    only: Option<String>,
    now: Option<String>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let now = match parse_now(now.as_deref(), lang) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    // Paper cannot be corrected after it is handed out: a QR code to a placeholder
    // address is refused here, where `build` only warns.
    if base_url.is_none() {
        if let (Some(config), _, _) = anxuan::parse::config::from_text(
            anxuan::input::site::read_config(&root).as_ref(),
            &root,
            None,
        ) {
            if config.preview_address {
                match lang {
                    Lang::Zh => eprintln!(
                        "错误：config.toml 的 base_url `{}` 是示例或本机地址，印在宣传单上的二维码扫了打不开，所以没有打印。\n请把 base_url 改成网站正式发布的网址，或用 --base-url 指定，例如 anxuan print --base-url https://anquan.某某镇.gov.cn/",
                        config.base_url
                    ),
                    Lang::En => eprintln!(
                        "error: base_url `{}` in config.toml is an example or local address; the QR codes on the leaflets would lead nowhere, so nothing was printed.\nSet base_url to the address the site is published at, or pass --base-url",
                        config.base_url
                    ),
                }
                return Ok(ExitCode::from(1));
            }
        }
    }
    let out_dir = pipeline::default_output(&root, output.as_deref());
    let opts = BuildOptions {
        root,
        output: Some(out_dir.clone()),
        base_url,
        now,
        drafts: false,
    };
    let report = pipeline::build(&opts);
    print_diagnostics(&report.diagnostics, &report.sources, lang);
    if report.has_errors() {
        match lang {
            Lang::Zh => eprintln!("生成失败，没有打印；原有的 {} 保持不变", out_dir.display()),
            Lang::En => eprintln!(
                "build failed, nothing printed; {} is unchanged",
                out_dir.display()
            ),
        }
        return Ok(ExitCode::from(1));
    }
    if let Some(old) = report.old_output {
        old.remove();
    }
    let mut leaflets = report.leaflets;
    if let Some(slug) = &only {
        let known: Vec<String> = leaflets.iter().map(|l| l.slug.clone()).collect();
        leaflets.retain(|l| &l.slug == slug);
        if leaflets.is_empty() {
            match lang {
                Lang::Zh => eprintln!(
                    "错误：没有 slug 为 `{slug}` 的宣传单；有：{}",
                    known.join("、")
                ),
                Lang::En => eprintln!(
                    "error: no leaflet has the slug `{slug}`; there are: {}",
                    known.join(", ")
                ),
            }
            return Ok(ExitCode::from(2));
        }
    }
    if leaflets.is_empty() {
        match lang {
            Lang::Zh => println!("没有宣传单可打印（宣传单放在 content/leaflets/ 里）"),
            Lang::En => println!("no leaflets to print (leaflets live in content/leaflets/)"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let browser = match anxuan::print::find_chromium() {
        Ok(b) => b,
        Err(d) => {
            print_diagnostics(&[d], &report.sources, lang);
            return Ok(ExitCode::from(1));
        }
    };
    let results = anxuan::print::print_all(&out_dir, &report.base_path, &leaflets, &browser);
    let mut errors = Vec::new();
    for (leaflet, result) in leaflets.iter().zip(results) {
        match result {
            Ok(p) => match lang {
                Lang::Zh => println!(
                    "已打印 {}（{}，{} 页）→ {}",
                    leaflet.slug,
                    leaflet.paper_name(),
                    p.pages,
                    p.pdf.display()
                ),
                Lang::En => println!(
                    "printed {} ({}, {} page(s)) → {}",
                    leaflet.slug,
                    leaflet.paper_name(),
                    p.pages,
                    p.pdf.display()
                ),
            },
            Err(d) => errors.push(d),
        }
    }
    if errors.len() < leaflets.len() {
        // Build again so that the new PDFs are in the output's file list and each
        // leaflet's page links its PDF.
        let again = pipeline::build(&opts);
        if let Some(old) = again.old_output {
            old.remove();
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        print_diagnostics(&errors, &report.sources, lang);
        Ok(ExitCode::from(1))
    }
}

fn init(dir: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    if dir.join("config.toml").exists() || dir.join("content").exists() {
        eprintln!(
            "{}",
            match lang {
                Lang::Zh => format!("错误：{} 里已经有站点（config.toml 或 content/），不会覆盖", dir.display()),
                Lang::En => format!("error: {} already holds a site (config.toml or content/); nothing was overwritten", dir.display()),
            }
        );
        return Ok(ExitCode::from(1));
    }
    let now = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai")?);
    for (rel, text) in scaffold::starter_site(&now) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    let cd = shell_quote(&dir.display().to_string());
    match lang {
        Lang::Zh => println!(
            "已在 {} 新建站点。下一步：cd {cd} && anxuan serve\n正式发布前，把 config.toml 里的 base_url 改成网站的网址。",
            dir.display(),
        ),
        Lang::En => println!(
            "created a site in {}. Next: cd {cd} && anxuan serve\nBefore publishing, set base_url in config.toml to the site's address.",
            dir.display(),
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `path` as one word for the shell the clerk pastes the line into: single quotes on
/// Unix, double quotes on Windows, and none when nothing needs them.
fn shell_quote(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| !c.is_whitespace() && !"'\"$`\\!&|;()<>*?[]{}#~^%".contains(c));
    if plain && !path.is_empty() {
        path.to_string()
    } else if cfg!(windows) {
        format!("\"{path}\"")
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

/// A page kind as `new` and `import` take it, or the usage error naming the kinds.
fn parse_kind(kind: &str, lang: Lang) -> Result<Kind, ExitCode> {
    Kind::from_name(kind.trim()).ok_or_else(|| {
        usage_error(
            lang,
            &format!("未知的类型 `{kind}`；可用：notice、warning、campaign、stats、leaflet"),
            &format!("unknown kind `{kind}`; accepted: notice, warning, campaign, stats, leaflet"),
        )
    })
}

/// `new` and `import` write into a site: say so when the folder is not one.
fn not_a_site(root: &Path, lang: Lang) -> ExitCode {
    match lang {
        Lang::Zh => eprintln!(
            "错误：{} 不是站点目录（没有 config.toml）；请用 --root 指定",
            root.display()
        ),
        Lang::En => eprintln!(
            "error: {} is not a site (no config.toml); pass --root",
            root.display()
        ),
    }
    ExitCode::from(1)
}

/// The site's warning levels and the time now in its timezone, for a new page's
/// front matter (Asia/Shanghai when config.toml cannot be read: the build names why).
fn site_levels_now(root: &Path) -> anyhow::Result<(anxuan::parse::meta::Levels, jiff::Zoned)> {
    let config = anxuan::parse::config::from_text(
        anxuan::input::site::read_config(root).as_ref(),
        root,
        None,
    )
    .0;
    let levels = config
        .as_ref()
        .map(|c| c.levels.clone())
        .unwrap_or_default();
    let tz = match config {
        Some(c) => c.timezone,
        None => jiff::tz::TimeZone::get("Asia/Shanghai")?,
    };
    Ok((levels, jiff::Zoned::now().with_time_zone(tz)))
}

fn new_page(kind: &str, title: &str, root: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    let kind = match parse_kind(kind, lang) {
        Ok(k) => k,
        Err(code) => return Ok(code),
    };
    if title.trim().is_empty() {
        return Ok(usage_error(
            lang,
            "标题不能为空",
            "the title must not be empty",
        ));
    }
    if !root.join("config.toml").exists() {
        return Ok(not_a_site(root, lang));
    }
    let (levels, now) = site_levels_now(root)?;
    let Some(path) = scaffold::new_page_path(root, kind, title) else {
        return Ok(ExitCode::from(1));
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(
        &path,
        scaffold::new_page_text(kind, title.trim(), &now, &levels),
    )?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// The end of the build summary naming the pages a build left out, so that a clerk
/// who marked a page as a draft, or dated it tomorrow, sees why it is not there.
fn left_out_note((drafts, scheduled): (usize, usize), lang: Lang) -> String {
    let zh = match (drafts, scheduled) {
        (0, 0) => return String::new(),
        (d, 0) => format!("{d} 个草稿"),
        (0, s) => format!("{s} 个定时发布的页面"),
        (d, s) => format!("{d} 个草稿、{s} 个定时发布的页面"),
    };
    let en = match (drafts, scheduled) {
        (d, 0) => format!("{d} draft(s)"),
        (0, s) => format!("{s} scheduled page(s)"),
        (d, s) => format!("{d} draft(s) and {s} scheduled page(s)"),
    };
    match lang {
        Lang::Zh => format!("（{zh}未发布：草稿用 --drafts 预览，定时的到日期才发布）"),
        Lang::En => format!(
            " ({en} left out: preview drafts with --drafts; scheduled pages appear on their date)"
        ),
    }
}

/// For `check`: whether each leaflet fits its paper, measured as `print` does in a
/// browser, from a build in a temporary folder. Without a browser, nothing.
fn leaflets_fit(opts: &BuildOptions, leaflets: &[anxuan::model::Leaflet]) -> Vec<Diagnostic> {
    if leaflets.is_empty() {
        return Vec::new();
    }
    let Ok(browser) = anxuan::print::find_chromium() else {
        return Vec::new();
    };
    let dir = match anxuan::print::tempdir() {
        Ok(d) => d.join("site"),
        Err(d) => return vec![d],
    };
    let mut report = pipeline::build(&BuildOptions {
        output: Some(dir.clone()),
        ..opts.clone()
    });
    if let Some(old) = report.old_output.take() {
        old.remove();
    }
    let found = if report.has_errors() {
        Vec::new()
    } else {
        anxuan::print::measure_all(&dir, &report.base_path, &report.leaflets, &browser)
    };
    if let Some(parent) = dir.parent() {
        let _ = std::fs::remove_dir_all(parent);
    }
    found
}
