import Foundation
import LessonCore

/// Writes the slide decks into the site's `slides/` folder: one per lesson, and "The paper in
/// seventeen slides" built from the run's observations.
///
/// A deck is one HTML file with its stylesheet and a small navigation script inlined, so it works from
/// `file://` with no network: ←/→, space, PageUp/PageDown, Home/End; the slide number in the URL
/// fragment (`#7`); `s` for the presenter view (notes, next slide, timer), `o` for an overview grid.
/// Every slide is a 1280×720 box scaled to the window; printing gives one landscape page per slide.
struct SlideWriter {
    /// The site's writer: course title, profile, seed and the observations of the run.
    var site: SiteWriter
    /// The deck stylesheet and script (`Assets/slides.css`, `Assets/slides.js`), inlined in every deck.
    var css: String
    var script: String

    static let folderName = "slides"
    static let paperDeckName = "paper.html"

    /// One slide: its content, its speaker notes, and a class for its layout.
    struct Slide {
        var kind: String
        var html: String
        var notes: String = ""
    }

    func write(_ lessons: [ExecutedLesson], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try paperDeck(lessons).write(to: folder.appendingPathComponent(Self.paperDeckName), atomically: true, encoding: .utf8)
        for lesson in lessons {
            try lessonDeck(lesson, all: lessons).write(to: folder.appendingPathComponent(lesson.pageName), atomically: true, encoding: .utf8)
        }
    }

    // MARK: - Decks

    func lessonDeck(_ executed: ExecutedLesson, all: [ExecutedLesson]) throws -> String {
        let lesson = executed.lesson, manifest = executed.manifest
        var slides: [Slide] = []
        /// Lesson text written for the page, with its links made to work from `slides/`.
        func fromPage(_ html: String) -> String { Self.rebased(html, page: executed.pageName) }
        var title = "<p class=\"kicker\">\(HTML.text(site.courseTitle))</p>\n<h1>\(HTML.text(lesson.title))</h1>\n"
        title += "<div class=\"lead fit\">\(fromPage(lesson.summaryHTML))</div>\n"
        if manifest.status == .failed {
            title += "<p class=\"banner\">This lesson stopped with an error in this run; its slides show what ran.</p>\n"
        }
        slides.append(Slide(kind: "title", html: title, notes: fromPage(lesson.summaryHTML)))
        for section in lesson.slides {
            if !section.skip && !section.body.isEmpty {
                slides.append(Slide(kind: "text", html: "<h2>\(fromPage(section.titleHTML))</h2>\n<div class=\"body fit\">\n\(fromPage(section.body.joined()))</div>\n",
                                    notes: fromPage(section.notesHTML)))
            }
            for index in section.cells where index < lesson.cells.count && index < manifest.cells.count {
                guard let pick = lesson.cells[index].options.slideFigures else { continue }
                let figures = manifest.cells[index].outputs.compactMap { output -> CellOutput.Figure? in
                    if case .figure(let figure) = output { return figure }
                    return nil
                }
                for (n, figure) in figures.enumerated() where pick.includes(n) {
                    slides.append(figureSlide(figure, heading: fromPage(section.titleHTML), notes: section.skip ? fromPage(section.notesHTML) : ""))
                }
            }
        }
        let checked = manifest.observations
        if !checked.isEmpty {
            var html = "<h2>What this lesson checked</h2>\n<table class=\"verdicts fit\">\n<tbody>\n"
            for o in checked {
                html += "<tr><th scope=\"row\">\(HTML.text(o.id))</th><td>\(HTML.text(o.claim))</td><td>\(SiteWriter.badge(o.verdict))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
            let notes = checked.map { "<p><strong>\(HTML.text($0.id))</strong>: \(HTML.text($0.measured)). \(HTML.text($0.explanation))</p>" }.joined()
            slides.append(Slide(kind: "text", html: html, notes: notes))
        }
        return deck(title: "\(lesson.title) — slides", slides: slides)
    }

    func paperDeck(_ lessons: [ExecutedLesson]) -> String {
        let checked = site.observations(lessons)
        let held = checked.values.filter { $0.0.verdict == .held }.count
        var slides: [Slide] = []
        slides.append(Slide(kind: "title", html: """
            <p class="kicker">\(HTML.text(site.courseTitle))</p>
            <h1>Membership Inference Attacks Against Machine Learning Models</h1>
            <p class="lead">The paper in seventeen slides: each observation with the paper's numbers beside this run's.</p>
            <p class="byline">Reza Shokri, Marco Stronati, Congzheng Song, Vitaly Shmatikov · IEEE Symposium on Security and Privacy 2017</p>
            <p class="byline">This run: \(held) of \(Observation.ids.count) observations held · profile \(HTML.text(site.profile.isEmpty ? "default" : site.profile)) · seed \(HTML.text(site.seed.isEmpty ? "default" : site.seed))</p>

            """, notes: "<p>Every number on the following slides was computed by the run that built this deck; the paper's numbers are quoted beside them.</p>"))
        slides.append(Slide(kind: "text", html: """
            <h2>The threat model</h2>
            <div class="body fit">
            <ul>
            <li>A model is trained on private records and offered as a <strong>black box</strong>: send a record, get a prediction vector.</li>
            <li>The attacker holds a record and its label and asks: <strong>was this record in the training set?</strong></li>
            <li>The attacker knows the input format and the API, not the model or its training data; it may know something about the data's distribution.</li>
            <li>A yes is a privacy leak: membership in a hospital's or a shop's data says something about the person.</li>
            </ul>
            </div>

            """, notes: "<p>The attack needs only the answers the service gives to anyone. Training a model on the service (Google Prediction API, Amazon ML) is enough to expose it.</p>"))
        if let pipeline = Self.firstDiagram(lessons) {
            slides.append(figureSlide(pipeline, heading: "The attack: shadow models teach an attack model",
                                      notes: "<p>The attacker trains shadow models that imitate the target on data whose membership it knows, then trains one attack model per class to tell the shadows' answers on members from those on non-members.</p>"))
        }
        for id in Observation.ids {
            slides.append(observationSlide(id, checked[id]))
        }
        var conclusion = "<h2>Conclusion</h2>\n<div class=\"body fit\">\n<ul>\n"
        conclusion += "<li>In this run \(held) of \(Observation.ids.count) observations held, \(checked.values.filter { $0.0.verdict == .heldInPart }.count) held in part, \(checked.values.filter { $0.0.verdict == .didNotHold }.count) did not hold.</li>\n"
        conclusion += "<li>Models leak membership through their ordinary answers, more with more classes and with overfitting.</li>\n"
        conclusion += "<li>The attacker needs little: noisy or synthetic data, or the target itself, can train the shadows.</li>\n"
        conclusion += "<li>Hiding confidence helps little; regularization helps more and can even improve the model.</li>\n"
        conclusion += "</ul>\n</div>\n"
        let missed = Observation.ids.compactMap { id in checked[id].flatMap { $0.0.verdict == .held ? nil : "\(id) (\($0.0.verdict.rawValue))" } }
        slides.append(Slide(kind: "text", html: conclusion,
                            notes: missed.isEmpty ? "<p>Every observation held in this run.</p>" : "<p>Not fully held here: \(HTML.text(missed.joined(separator: ", "))). Their pages say why.</p>"))
        return deck(title: "The paper in seventeen slides — \(site.courseTitle)", slides: slides)
    }

    /// The number of `id`'s slide in the paper deck (title, threat model, the pipeline if the course
    /// drew one, then O1 … O17), for stable links such as `slides/paper.html#7`.
    static func paperDeckSlideNumber(of id: String, lessons: [ExecutedLesson]) -> Int {
        let before = 2 + (firstDiagram(lessons) == nil ? 0 : 1)
        return before + (Observation.ids.firstIndex(of: id) ?? 0) + 1
    }

    // MARK: - Slides

    func observationSlide(_ id: String, _ found: (Observation, ExecutedLesson)?) -> Slide {
        guard let (o, lesson) = found else {
            let claim = site.observationClaims[id] ?? ""
            return Slide(kind: "text", html: "<h2><span class=\"oid\">\(HTML.text(id))</span> \(HTML.text(claim))</h2>\n<div class=\"body\"><p>Not checked in this run: no lesson of this build tests it.</p></div>\n")
        }
        let figure = decidingFigure(o, lesson)
        // A wide figure goes under the numbers, full width; others beside them.
        let stacked = figure.map { Double($0.width) / Double(max(1, $0.height)) >= 2 } ?? false
        var html = "<h2><span class=\"oid\">\(HTML.text(id))</span> \(HTML.text(o.claim))</h2>\n<div class=\"columns\(stacked ? " stacked" : "")\">\n<div class=\"numbers fit\">\n"
        html += "<div><p class=\"label\">The paper</p>\n<p>\(HTML.text(o.paper))</p></div>\n"
        html += "<div><p class=\"label\">This run</p>\n<p>\(HTML.text(Self.shortened(o.measured)))</p></div>\n"
        html += "<p class=\"verdict\">\(SiteWriter.badge(o.verdict))</p>\n</div>\n"
        if let figure {
            html += "<figure><img src=\"\(HTML.attribute(Self.slideImage(figure)))\" alt=\"\(HTML.attribute(figure.altText))\"></figure>\n"
        } else {
            html += "<div class=\"rule fit\"><p class=\"label\">The rule</p>\n<p>\(HTML.text(o.rule))</p></div>\n"
        }
        html += "</div>\n"
        let notes = "<p><strong>This run:</strong> \(HTML.text(o.measured))</p><p><strong>Rule:</strong> \(HTML.text(o.rule))</p><p><strong>Why:</strong> \(HTML.text(o.explanation))</p><p>Evidence: \(HTML.text(lesson.lesson.title)), cells \(HTML.text(o.evidenceCells.joined(separator: ", "))).</p>"
        return Slide(kind: "observation", html: html, notes: notes)
    }

    /// `html` from the lesson page `page` with its relative links pointing back from `slides/`:
    /// `O3.html` becomes `../O3.html`, `#train` becomes `../01-x.html#train`; links with a scheme stay.
    static func rebased(_ html: String, page: String) -> String {
        guard html.contains(" href=\"") else { return html }
        var out = "", rest = Substring(html)
        while let start = rest.range(of: " href=\"") {
            out += rest[..<start.upperBound]
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            let target = String(rest[..<end])
            if target.contains(":") || target.hasPrefix("//") || target.hasPrefix("/") {
                out += target
            } else if target.hasPrefix("#") {
                out += "../" + page + target
            } else {
                out += "../" + target
            }
            rest = rest[end...]
        }
        return out + rest
    }

    /// A long list of numbers cut, for a slide, after the last whole item that fits in about 240
    /// characters; the notes and the observation's page keep all of it.
    static func shortened(_ text: String, limit: Int = 240) -> String {
        guard text.count > limit + 40 else { return text }
        let head = String(text.prefix(limit))
        let cut = [head.range(of: "; ", options: .backwards), head.range(of: ". ", options: .backwards)]
            .compactMap { $0?.lowerBound }.max() ?? head.endIndex
        return String(head[..<cut]) + " … (all numbers in the notes)"
    }

    func figureSlide(_ figure: CellOutput.Figure, heading: String, notes: String) -> Slide {
        let caption = figure.caption.isEmpty ? "" : "<figcaption>\(HTML.text(figure.caption))</figcaption>"
        return Slide(kind: "figure", html: "<h2>\(heading)</h2>\n<figure><img src=\"\(HTML.attribute(Self.slideImage(figure)))\" alt=\"\(HTML.attribute(figure.altText))\">\(caption)</figure>\n",
                     notes: notes + "<p>\(HTML.text(figure.altText))</p>")
    }

    /// The picture a slide shows: the version drawn for slides, else the SVG, else the PNG; from `slides/`.
    static func slideImage(_ figure: CellOutput.Figure) -> String {
        let file = figure.slideFile ?? figure.vectorFiles?.first { $0.hasSuffix(".svg") } ?? figure.file
        return "../" + file
    }

    /// The first figure among an observation's evidence cells: what decided the verdict.
    func decidingFigure(_ o: Observation, _ lesson: ExecutedLesson) -> CellOutput.Figure? {
        for label in o.evidenceCells {
            guard let result = lesson.manifest.cells.first(where: { $0.label == label }) else { continue }
            for output in result.outputs {
                if case .figure(let figure) = output { return figure }
            }
        }
        return nil
    }

    /// The course's first diagram (the attack pipeline of lesson 2).
    static func firstDiagram(_ lessons: [ExecutedLesson]) -> CellOutput.Figure? {
        for lesson in lessons {
            for cell in lesson.manifest.cells {
                for output in cell.outputs {
                    if case .figure(let figure) = output, figure.kind == .diagram { return figure }
                }
            }
        }
        return nil
    }

    // MARK: - The page

    func deck(title: String, slides: [Slide]) -> String {
        var html = SiteWriter.documentStart(title: title, style: "<style>\n\(css)\n</style>") + """
            <main class="deck" id="deck">

            """
        for (i, slide) in slides.enumerated() {
            // The id is the slide's number, so `deck.html#7` is a link the link check can verify.
            html += "<section class=\"slide \(slide.kind)\" id=\"\(i + 1)\" data-slide=\"\(i + 1)\" aria-label=\"Slide \(i + 1) of \(slides.count)\">\n"
            html += slide.html
            html += "<footer class=\"slide-foot\"><span>\(HTML.text(title))</span><span>\(i + 1) / \(slides.count)</span></footer>\n"
            if !slide.notes.isEmpty { html += "<aside class=\"notes\">\(slide.notes)</aside>\n" }
            html += "</section>\n"
        }
        html += """
            </main>
            <p class="help" id="help">← → or space: move · s: presenter view · o: overview · Home/End · print for one page per slide · <a href="../index.html">the course</a></p>
            <script>
            \(script)
            </script>
            </body>
            </html>

            """
        return html
    }
}
