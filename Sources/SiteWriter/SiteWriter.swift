import Foundation
import LessonCore

/// A lesson as the site shows it: its parsed source and what its run produced.
public struct ExecutedLesson: Sendable {
    public var lesson: Lesson
    public var manifest: OutputManifest
    public init(lesson: Lesson, manifest: OutputManifest) {
        self.lesson = lesson
        self.manifest = manifest
    }

    /// The page's file name: `01-membership-game.html`.
    public var pageName: String { "\(lesson.id).html" }
}

/// Writes the static site: an index and one page per lesson, from lessons and their manifests.
///
/// Never runs anything. Every string from a lesson or a run is escaped with `HTML.text` or
/// `HTML.attribute`; prose comes from cmark-gfm in safe mode (raw HTML omitted). Pages link only to
/// files inside the site, so it works offline from `file://`.
public struct SiteWriter {
    public var courseTitle: String
    public var courseSummary: String
    /// Which run profile and seed produced the site; every page says so.
    public var profile: String
    public var seed: String
    /// The claims of all observations, by id, so that unchecked ones can be listed too.
    public var observationClaims: [String: String]
    /// Every seed's run when this site is a sweep's (`--seeds`); its pages then show each
    /// observation's verdicts and numbers over the seeds.
    public var sweep: SeedSweep?
    /// For one seed's site inside a sweep: a line atop every page that leads back to the sweep.
    public var sweepBanner: SeedSweep.Banner?

    public init(courseTitle: String, courseSummary: String, profile: String = "", seed: String = "",
                observationClaims: [String: String] = [:]) {
        self.courseTitle = courseTitle
        self.courseSummary = courseSummary
        self.profile = profile
        self.seed = seed
        self.observationClaims = observationClaims
    }

    /// Every observation checked by the run, by id (the last one wins if two lessons check the same id).
    func observations(_ lessons: [ExecutedLesson]) -> [String: (Observation, ExecutedLesson)] {
        var found: [String: (Observation, ExecutedLesson)] = [:]
        for lesson in lessons { for o in lesson.manifest.observations { found[o.id] = (o, lesson) } }
        return found
    }

    /// Writes `index.html` and the lesson pages into `folder` (which must exist) and copies the
    /// files at the top of `assets` (the stylesheet; not subfolders such as `data/`) into `folder/assets/`.
    public func write(_ lessons: [ExecutedLesson], to folder: URL, assets: URL) throws {
        let fm = FileManager.default
        let assetsOut = folder.appendingPathComponent("assets")
        try? fm.removeItem(at: assetsOut)
        try fm.createDirectory(at: assetsOut, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: assets.path).sorted() where !name.hasPrefix(".") {
            var isFolder: ObjCBool = false
            let source = assets.appendingPathComponent(name)
            if fm.fileExists(atPath: source.path, isDirectory: &isFolder), !isFolder.boolValue {
                try fm.copyItem(at: source, to: assetsOut.appendingPathComponent(name))
            }
        }
        try indexPage(lessons).write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        for (i, lesson) in lessons.enumerated() {
            let html = try lessonPage(lesson, previous: i > 0 ? lessons[i - 1] : nil,
                                      next: i + 1 < lessons.count ? lessons[i + 1] : nil, all: lessons)
            try html.write(to: folder.appendingPathComponent(lesson.pageName), atomically: true, encoding: .utf8)
        }
        let checked = observations(lessons)
        for id in Observation.ids {
            try observationPage(id, checked[id], all: lessons)
                .write(to: folder.appendingPathComponent("\(id).html"), atomically: true, encoding: .utf8)
        }
        try observationsJSON(checked).write(to: folder.appendingPathComponent("observations.json"))
        let slides = SlideWriter(site: self,
                                 css: try String(contentsOf: assets.appendingPathComponent("slides.css"), encoding: .utf8),
                                 script: try String(contentsOf: assets.appendingPathComponent("slides.js"), encoding: .utf8))
        try slides.write(lessons, to: folder.appendingPathComponent(SlideWriter.folderName))
    }

    /// The start of every page and deck, up to `<body>`: `style` is what goes in the head after the title.
    static func documentStart(title: String, style: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.text(title))</title>
        \(style)
        </head>
        <body>

        """
    }

    func layout(title: String, body: String, sidebar: String) -> String {
        Self.documentStart(title: title, style: "<link rel=\"stylesheet\" href=\"assets/style.css\">") + """
        <div class="layout">
        \(sidebar)
        <main>
        \(sweepBannerHTML)\(body)
        <footer class="run-info">Computed by this run: profile <strong>\(HTML.text(profile.isEmpty ? "default" : profile))</strong>, seed \(HTML.text(seed.isEmpty ? "default" : seed)). Purchase-like and Texas-like data are synthetic stand-ins, labelled where used.</footer>
        </main>
        </div>
        </body>
        </html>

        """
    }

    var sweepBannerHTML: String {
        guard let b = sweepBanner else { return "" }
        return "<p class=\"sweep-banner\" role=\"note\">This site is seed \(HTML.text(b.seed)) of a build over the seeds \(HTML.text(b.seeds.joined(separator: ", "))). <a href=\"\(SeedSweep.backToSweep)index.html\">The observations over all seeds</a></p>\n"
    }

    func sidebar(_ lessons: [ExecutedLesson], current: String?) -> String {
        var html = "<nav class=\"sidebar\" aria-label=\"Lessons\">\n"
        html += "<a class=\"course\" href=\"index.html\">\(HTML.text(courseTitle))</a>\n<ol>\n"
        for lesson in lessons {
            let here = lesson.lesson.id == current
            let failed = lesson.manifest.status == .failed
            html += "<li\(here ? " class=\"current\"" : "")><a href=\"\(HTML.attribute(lesson.pageName))\"\(here ? " aria-current=\"page\"" : "")>\(HTML.text(lesson.lesson.title))</a>\(failed ? " <span class=\"badge failed\">failed</span>" : "")</li>\n"
        }
        html += "</ol>\n<p class=\"nav-heading\">Observations</p>\n<ol class=\"observations\">\n"
        let checked = observations(lessons)
        for id in Observation.ids {
            let here = current == id
            let badge = checked[id].map { Self.badge($0.0.verdict) } ?? "<span class=\"badge unchecked\">–</span>"
            html += "<li\(here ? " class=\"current\"" : "")><a href=\"\(id).html\"\(here ? " aria-current=\"page\"" : "")>\(id)</a> \(badge)</li>\n"
        }
        return html + "</ol>\n</nav>"
    }

    static func badge(_ verdict: Observation.Verdict) -> String {
        let cls = verdict == .held ? "held" : verdict == .heldInPart ? "partly" : "failed"
        return "<span class=\"badge \(cls)\">\(HTML.text(verdict.rawValue))</span>"
    }

    func observationsIndexHTML(_ lessons: [ExecutedLesson]) -> String {
        let checked = observations(lessons)
        let held = checked.values.filter { $0.0.verdict == .held }.count
        var html = "<h2>The paper's observations, checked by this run</h2>\n"
        if let sweep {
            let seeds = sweep.runs.map(\.seed)
            let always = Observation.ids.filter { sweep.tally($0).held == seeds.count }.count
            html += "<p>This build ran the course for \(counted(seeds.count, "seed")) (\(HTML.text(seeds.joined(separator: ", ")))); \(always) of \(Observation.ids.count) observations held in every one. The lesson pages and the verdict column show seed \(HTML.text(seeds[0])); the last column counts the verdicts over all seeds, and each seed's own site is linked from the observation pages.</p>\n"
            if let kernels = sweep.mixedKernels {
                html += "<p class=\"meta\">The lessons ran on machines with different training kernels (\(HTML.text(kernels.joined(separator: ", ")))); the same seed on another machine may differ in the last digits.</p>\n"
            }
        }
        html += "<p>\(held) of \(Observation.ids.count) held, \(checked.values.filter { $0.0.verdict == .heldInPart }.count) held in part, \(checked.values.filter { $0.0.verdict == .didNotHold }.count) did not hold, \(Observation.ids.count - checked.count) not checked in this run.</p>\n"
        html += "<div class=\"table-wrap\"><table class=\"observations\">\n<thead><tr><th scope=\"col\">id</th><th scope=\"col\">claim</th><th scope=\"col\">verdict</th><th scope=\"col\">this run</th>\(sweep == nil ? "" : "<th scope=\"col\">over the seeds</th>")</tr></thead>\n<tbody>\n"
        for id in Observation.ids {
            let claim = checked[id]?.0.claim ?? observationClaims[id] ?? ""
            let verdict = checked[id].map { Self.badge($0.0.verdict) } ?? "<span class=\"badge unchecked\">not checked</span>"
            let spread = sweep.map { "<td>\(HTML.text($0.tally(id).text))</td>" } ?? ""
            html += "<tr><td><a href=\"\(id).html\">\(id)</a></td><td>\(HTML.text(claim))</td><td>\(verdict)</td><td>\(HTML.text(checked[id]?.0.measured ?? ""))</td>\(spread)</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n<p class=\"meta\">The same data as JSON: <a href=\"observations.json\">observations.json</a>.</p>\n"
    }

    func observationPage(_ id: String, _ found: (Observation, ExecutedLesson)?, all: [ExecutedLesson]) -> String {
        let number = Int(id.dropFirst()) ?? 1
        var body = ""
        guard let (o, lesson) = found else {
            body += "<h1>\(HTML.text(id)): \(HTML.text(observationClaims[id] ?? ""))</h1>\n"
            body += sweep == nil
                ? "<p class=\"error-banner\">This observation was not checked in this run: no lesson of this build tests it yet.</p>\n"
                : "<p class=\"error-banner\">This observation was not checked in the run of seed \(HTML.text(seed)), the one the lesson pages show; the other seeds are below.</p>\n"
            body += acrossSeedsHTML(id)
            body += observationPager(number)
            return layout(title: "\(id) — \(courseTitle)", body: body, sidebar: sidebar(all, current: id))
        }
        body += "<h1>\(HTML.text(id)): \(HTML.text(o.claim))</h1>\n"
        let slide = SlideWriter.paperDeckSlideNumber(of: id, lessons: all)
        body += "<p class=\"slides-link meta\"><a href=\"\(SlideWriter.folderName)/\(SlideWriter.paperDeckName)#\(slide)\">This observation on a slide</a></p>\n"
        body += "<p class=\"verdict\">Verdict\(sweep == nil ? "" : " for seed \(HTML.text(seed))"): \(Self.badge(o.verdict))</p>\n"
        body += "<div class=\"table-wrap\"><table>\n<tbody>\n"
        body += "<tr><th scope=\"row\">The paper</th><td>\(HTML.text(o.paper))</td></tr>\n"
        body += "<tr><th scope=\"row\">This run</th><td>\(HTML.text(o.measured))</td></tr>\n"
        body += "<tr><th scope=\"row\">Rule</th><td>\(HTML.text(o.rule))</td></tr>\n"
        body += "</tbody>\n</table></div>\n"
        body += acrossSeedsHTML(id)
        body += "<h2>Why</h2>\n<p>\(HTML.text(o.explanation))</p>\n"
        body += "<h2>Evidence</h2>\n"
        // Cells with something to show first, then the cell that only applied the rule.
        let quiet = { (label: String) in
            guard o.evidenceCells.count > 1, let r = lesson.manifest.cells.first(where: { $0.label == label }) else { return false }
            return r.outputs.isEmpty && r.error == nil
        }
        for label in o.evidenceCells.filter({ !quiet($0) }) + o.evidenceCells.filter(quiet) {
            guard let cell = lesson.lesson.cells.first(where: { $0.label == label }) else { continue }
            let result = lesson.manifest.cells.first { $0.label == label }
            let link = "<a href=\"\(HTML.attribute(lesson.pageName))#\(HTML.attribute(label))\">\(HTML.text(lesson.lesson.title)), cell \(HTML.text(label))</a> (\(HTML.text(lesson.lesson.path)):\(cell.fenceLine)–\(cell.closingLine))"
            // A cell that only computes the verdict (no figure, table or error) is named, not shown:
            // the evidence is the figures and tables of the cells it read.
            if quiet(label) {
                body += "<p class=\"meta\">The rule was applied in \(link).</p>\n"
                continue
            }
            body += "<p class=\"meta\">From <a href=\"\(HTML.attribute(lesson.pageName))#\(HTML.attribute(label))\">\(HTML.text(lesson.lesson.title)), cell \(HTML.text(label))</a> (\(HTML.text(lesson.lesson.path)):\(cell.fenceLine)–\(cell.closingLine)):</p>\n"
            var shown = cell
            shown.options.echo = false
            body += cellHTML(shown, result: result, path: lesson.lesson.path)
        }
        body += observationPager(number)
        return layout(title: "\(id) — \(courseTitle)", body: body, sidebar: sidebar(all, current: id))
    }

    /// The sweep's section of an observation page: how often it held, its numbers as mean with
    /// min–max, every seed's verdict and measurement (linked to that seed's page), and charts with bands.
    func acrossSeedsHTML(_ id: String) -> String {
        guard let sweep else { return "" }
        let tally = sweep.tally(id)
        var html = "<h2 id=\"across-seeds\">Across seeds</h2>\n"
        html += "<p>Over \(counted(tally.seeds, "seed")): <strong>\(HTML.text(tally.text))</strong>.</p>\n"
        if let spread = sweep.measuredSpread(id), tally.seeds - tally.notChecked > 1 {
            html += "<p>Measured, each number as its mean (min–max) over the seeds that checked it: \(HTML.text(spread.text))</p>\n"
        } else if tally.seeds - tally.notChecked > 1 {
            html += "<p class=\"meta\">The measured texts differ between seeds in more than their numbers, so they are shown per seed and not averaged.</p>\n"
        }
        html += "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">seed</th><th scope=\"col\">verdict</th><th scope=\"col\">measured</th></tr></thead>\n<tbody>\n"
        for run in sweep.runs {
            let o = run.observations[id]
            let verdict = o.map { Self.badge($0.verdict) } ?? "<span class=\"badge unchecked\">not checked</span>"
            html += "<tr><td><a href=\"\(HTML.attribute(run.folder))\(id).html\">\(HTML.text(run.seed))</a></td><td>\(verdict)</td><td>\(HTML.text(o?.measured ?? ""))</td></tr>\n"
        }
        html += "</tbody>\n</table></div>\n"
        for figure in sweep.figures[id] ?? [] {
            html += "<figure>\n<img src=\"\(HTML.attribute(figure.file))\" alt=\"\(HTML.attribute(figure.altText))\" width=\"\(figure.width)\" height=\"\(figure.height)\">\n"
            html += "<figcaption>\(HTML.text(figure.caption))\(Self.downloadLinks(figure))</figcaption>\n</figure>\n"
            if let data = figure.data, !data.rows.isEmpty {
                html += "<details class=\"figure-data\"><summary>Data of the figure above (\(counted(data.rows.count, "row")))</summary>\n\(tableHTML(data))</details>\n"
            }
        }
        return html
    }

    func observationPager(_ number: Int) -> String {
        var html = "<nav class=\"pager\">"
        html += number > 1 ? "<a class=\"prev\" href=\"O\(number - 1).html\" rel=\"prev\">← O\(number - 1)</a>" : "<a class=\"prev\" href=\"index.html\">← Index</a>"
        html += number < Observation.ids.count ? "<a class=\"next\" href=\"O\(number + 1).html\" rel=\"next\">O\(number + 1) →</a>" : "<span></span>"
        return html + "</nav>\n"
    }

    func observationsJSON(_ checked: [String: (Observation, ExecutedLesson)]) throws -> Data {
        struct SeedEntry: Encodable { var seed: String, verdict: String, measured: String }
        struct Aggregate: Encodable {
            var seeds: Int, held: Int, heldInPart: Int, didNotHold: Int, lessonFailed: Int, notThisBuild: Int, notChecked: Int
            /// The measured text with each number as mean (min–max); null when the seeds' texts differ in words.
            var measured: String?
            var numbers: [MeasuredSpread.Spread]?

            func encode(to encoder: Encoder) throws {
                enum Key: String, CodingKey { case seeds, held, heldInPart, didNotHold, lessonFailed, notThisBuild, notChecked, measured, numbers }
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(seeds, forKey: .seeds)
                try c.encode(held, forKey: .held)
                try c.encode(heldInPart, forKey: .heldInPart)
                try c.encode(didNotHold, forKey: .didNotHold)
                try c.encode(lessonFailed, forKey: .lessonFailed)
                try c.encode(notThisBuild, forKey: .notThisBuild)
                try c.encode(notChecked, forKey: .notChecked)
                // Written as null rather than left out, so a reader of the JSON sees the key either way.
                try c.encode(measured, forKey: .measured)
                try c.encode(numbers, forKey: .numbers)
            }
        }
        struct Entry: Encodable {
            var id: String, claim: String, verdict: String, paper: String, measured: String, rule: String
            var lesson: String, cell: String, profile: String, seed: String
            /// In a sweep only: every seed's verdict and measurement, and the tally over them.
            var seeds: [SeedEntry]? = nil
            var aggregate: Aggregate? = nil
        }
        let entries = Observation.ids.map { id -> Entry in
            var entry: Entry
            if let (o, lesson) = checked[id] {
                entry = Entry(id: id, claim: o.claim, verdict: o.verdict.rawValue, paper: o.paper, measured: o.measured, rule: o.rule,
                              lesson: lesson.lesson.id, cell: o.cellLabel, profile: profile, seed: seed)
            } else {
                entry = Entry(id: id, claim: observationClaims[id] ?? "", verdict: "not checked", paper: "", measured: "",
                              rule: "", lesson: "", cell: "", profile: profile, seed: seed)
            }
            if let sweep {
                entry.seeds = sweep.runs.map { run in
                    let o = run.observations[id]
                    return SeedEntry(seed: run.seed, verdict: o?.verdict.rawValue ?? "not checked", measured: o?.measured ?? "")
                }
                let t = sweep.tally(id), spread = sweep.measuredSpread(id)
                entry.aggregate = Aggregate(seeds: t.seeds, held: t.held, heldInPart: t.heldInPart, didNotHold: t.didNotHold,
                                            lessonFailed: t.lessonFailed, notThisBuild: t.notThisBuild, notChecked: t.notChecked,
                                            measured: spread?.text, numbers: spread?.numbers)
            }
            return entry
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(entries)
    }

    func indexPage(_ lessons: [ExecutedLesson]) -> String {
        var body = "<h1>\(HTML.text(courseTitle))</h1>\n<p class=\"lead\">\(HTML.text(courseSummary))</p>\n"
        let failed = lessons.filter { $0.manifest.status == .failed }
        if !failed.isEmpty {
            body += "<p class=\"error-banner\">\(failed.count) of \(lessons.count) lessons failed in this run: \(failed.map { HTML.text($0.lesson.id) }.joined(separator: ", ")).</p>\n"
        }
        body += "<ol class=\"lesson-list\">\n"
        for lesson in lessons {
            body += "<li><h2><a href=\"\(HTML.attribute(lesson.pageName))\">\(HTML.text(lesson.lesson.title))</a></h2>\n"
            body += lesson.lesson.summaryHTML
            body += "<p class=\"meta\">\(counted(lesson.lesson.cells.count, "cell")) · ran in \(Self.seconds(lesson.manifest.seconds))\(lesson.manifest.status == .failed ? " · <span class=\"badge failed\">failed</span>" : "")</p></li>\n"
        }
        body += "</ol>\n"
        body += "<p class=\"slides-link\">Slides: <a href=\"\(SlideWriter.folderName)/\(SlideWriter.paperDeckName)\">the paper in seventeen slides</a>, and a deck for each lesson (linked at the top of its page). Press <kbd>s</kbd> in a deck for speaker notes, <kbd>o</kbd> for an overview; print a deck for one page per slide.</p>\n"
        body += observationsIndexHTML(lessons)
        return layout(title: courseTitle, body: body, sidebar: sidebar(lessons, current: nil))
    }

    /// "PNG · SVG · PDF" under a figure that has vector files, so it can go into slides or a paper sharp.
    static func downloadLinks(_ figure: CellOutput.Figure) -> String {
        guard let vectors = figure.vectorFiles, !vectors.isEmpty else { return "" }
        let links = ([figure.file] + vectors).map { file in
            let format = (file as NSString).pathExtension.uppercased()
            return "<a href=\"\(HTML.attribute(file))\" download>\(HTML.text(format))</a>"
        }
        return " <span class=\"downloads\">" + links.joined(separator: " · ") + "</span>"
    }

    static func seconds(_ s: Double) -> String {
        s < 1 ? String(format: "%.0f ms", s * 1000) : String(format: "%.1f s", s)
    }

    func lessonPage(_ executed: ExecutedLesson, previous: ExecutedLesson?, next: ExecutedLesson?,
                    all: [ExecutedLesson]) throws -> String {
        let lesson = executed.lesson, manifest = executed.manifest
        var body = ""
        if let failure = manifest.failure {
            body += "<p class=\"error-banner\" role=\"alert\">This lesson stopped with an error in <a href=\"#\(HTML.attribute(failure.label))\">\(HTML.text(lesson.path)):\(failure.fenceLine)-\(failure.closingLine) [\(HTML.text(failure.label))]</a>; later cells did not run.</p>\n"
        }
        if let error = manifest.lessonError {
            body += "<p class=\"error-banner\" role=\"alert\">\(HTML.text(error))</p>\n"
        }
        if let note = manifest.keptNote {
            body += "<p class=\"kept-banner\" role=\"note\">\(HTML.text(note))</p>\n"
        }
        body += "<p class=\"slides-link meta\"><a href=\"\(SlideWriter.folderName)/\(HTML.attribute(executed.pageName))\">Slides for this lesson</a></p>\n"
        for segment in lesson.prose {
            switch segment {
            case .html(let html): body += html
            case .cell(let index):
                guard index < lesson.cells.count else { continue }
                let result = index < manifest.cells.count ? manifest.cells[index] : nil
                body += cellHTML(lesson.cells[index], result: result, path: lesson.path)
            }
        }
        body += "<nav class=\"pager\">"
        body += previous.map { "<a class=\"prev\" href=\"\(HTML.attribute($0.pageName))\" rel=\"prev\">← \(HTML.text($0.lesson.title))</a>" } ?? "<span></span>"
        body += next.map { "<a class=\"next\" href=\"\(HTML.attribute($0.pageName))\" rel=\"next\">\(HTML.text($0.lesson.title)) →</a>" } ?? "<span></span>"
        body += "</nav>\n"
        return layout(title: "\(lesson.title) — \(courseTitle)", body: body, sidebar: sidebar(all, current: lesson.id))
    }

    func cellHTML(_ cell: Cell, result: CellResult?, path: String) -> String {
        let status = result?.status ?? .notRun
        var html = "<section class=\"cell \(status.rawValue)\" id=\"\(HTML.attribute(cell.label))\">\n"
        var meta = "<a href=\"#\(HTML.attribute(cell.label))\">\(HTML.text(cell.label))</a> · lines \(cell.fenceLine)–\(cell.closingLine)"
        switch status {
        case .passed: meta += " · \(Self.seconds(result?.seconds ?? 0))"
        case .failed: meta += " · <strong>failed</strong>"
        case .notRun: meta += " · not run"
        case .shownOnly: meta += cell.options.scope == .file ? " · file scope" : " · shown, not run"
        }
        html += "<div class=\"cell-meta\">\(meta)</div>\n"
        if cell.options.echo {
            html += "<pre class=\"code\"><code class=\"language-swift\">\(SwiftHighlighter.html(cell.code))</code></pre>\n"
        }
        guard let result else { return html + "</section>\n" }
        if cell.options.output && !result.stdout.isEmpty {
            html += "<pre class=\"stdout\">\(HTML.text(result.stdout))</pre>\n"
            if result.stdoutTruncatedBytes > 0 {
                html += "<p class=\"note\">Output truncated: \(result.stdoutTruncatedBytes) more bytes were printed.</p>\n"
            }
        }
        for output in result.outputs {
            switch output {
            case .figure(let figure):
                html += "<figure>\n<img src=\"\(HTML.attribute(figure.file))\" alt=\"\(HTML.attribute(figure.altText))\" width=\"\(figure.width)\" height=\"\(figure.height)\">\n"
                let caption = figure.caption.isEmpty ? figure.title : figure.caption
                html += "<figcaption>\(HTML.text(caption))\(Self.downloadLinks(figure))</figcaption>\n</figure>\n"
                if let data = figure.data, !data.rows.isEmpty {
                    html += "<details class=\"figure-data\"><summary>Data of the figure above (\(counted(data.rows.count, "row")))</summary>\n\(tableHTML(data))</details>\n"
                }
            case .table(let table):
                html += tableHTML(table)
            }
        }
        if let error = result.error {
            html += "<pre class=\"error\" role=\"alert\">\(HTML.text(error))</pre>\n"
        }
        return html + "</section>\n"
    }

    func tableHTML(_ table: CellOutput.Table) -> String {
        let numeric = Set(table.numericColumns)
        var html = "<div class=\"table-wrap\"><table>\n"
        if !table.caption.isEmpty { html += "<caption>\(HTML.text(table.caption))</caption>\n" }
        html += "<thead><tr>" + table.columns.enumerated().map { c, name in
            "<th scope=\"col\"\(numeric.contains(c) ? " class=\"num\"" : "")>\(HTML.text(name))</th>"
        }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            html += "<tr>" + row.enumerated().map { c, value in
                "<td\(numeric.contains(c) ? " class=\"num\"" : "")>\(HTML.text(value))</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }
}
