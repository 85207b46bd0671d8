/// How lesson file names become lesson ids (slugs), and which names a course may not use.
///
/// The id names the page (`<id>.html`), the figure folder (`<id>/`), the Swift type the lesson is
/// compiled into and the `--lesson` argument, so it must be safe in a URL, a file name on a
/// case-insensitive disk and a Swift identifier, and no two lessons, nor a lesson and the site's own
/// files, may share one.
public enum LessonNames {
    /// `20-With Spaces.md` → `20-with-spaces`: ASCII letters (lower-cased) and digits are kept, every
    /// other run of characters becomes one `-`, and none leads or trails.
    public static func slug(forFileName name: String) -> String {
        let stem = name.hasSuffix(".md") ? String(name.dropLast(3)) : name
        var slug = ""
        var pendingDash = false
        for scalar in stem.unicodeScalars {
            let c = Character(scalar)
            if scalar.isASCII && (c.isLetter || c.isNumber) {
                if pendingDash && !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.append(Character(c.lowercased()))
            } else {
                pendingDash = true
            }
        }
        return slug
    }

    /// The Swift identifier of a lesson's type: `Lesson_01_membership_game`.
    public static func typeName(forSlug slug: String) -> String {
        "Lesson_" + slug.replacingOccurrences(of: "-", with: "_")
    }

    /// Names the site writer puts at the top of a site, with what they are. A lesson with one of
    /// these ids would overwrite them or be overwritten.
    public static let reserved: [String: String] = {
        var names = ["index": "the site's front page (index.html)",
                     "assets": "the site's stylesheet folder (assets/)",
                     "observations": "the observations' data (observations.json)",
                     "slides": "the slide decks' folder (slides/)",
                     "paper": "the paper deck (slides/paper.html), which a lesson's deck of that name would overwrite",
                     "seeds": "the folder of each seed's site in a build over several seeds (seeds/)",
                     "sweep": "the folder of the charts drawn over several seeds (sweep/)"]
        for n in 1...17 { names["o\(n)"] = "the page of the paper's observation O\(n) (O\(n).html)" }
        return names
    }()

    /// Every problem with a course's lesson file names (`02-x.md`, …, in `folder`): a name with no
    /// letters or digits, a reserved name, and two files with the same id, each naming both files.
    public static func problems(fileNames: [String], folder: String = "Lessons") -> [LessonError] {
        var errors: [LessonError] = []
        var firstBySlug: [String: String] = [:]
        for name in fileNames.sorted() {
            let path = "\(folder)/\(name)"
            let slug = slug(forFileName: name)
            if slug.isEmpty {
                errors.append(LessonError(path: path, line: 1, column: 1,
                                          message: "the file name has no ASCII letters or digits to name the lesson by; rename it like 09-my-lesson.md"))
                continue
            }
            if let what = reserved[slug] {
                errors.append(LessonError(path: path, line: 1, column: 1,
                                          message: "a lesson cannot be called '\(slug)': the name belongs to \(what); rename the file"))
                continue
            }
            if let other = firstBySlug[slug] {
                errors.append(LessonError(path: path, line: 1, column: 1,
                                          message: "this lesson and \(folder)/\(other) would both be called '\(slug)' (page \(slug).html); rename one of them",
                                          notes: ["\(folder)/\(other):1:1: note: the other lesson called '\(slug)'"]))
                continue
            }
            firstBySlug[slug] = name
        }
        return errors
    }
}
