/// The two escaping functions of the site: one for text between tags, one for attribute values.
/// Everything that comes from a lesson or a cell's output goes through one of them — the pages the
/// SiteWriter builds and the MathML the lesson format makes of formulas.
public enum HTML {
    /// Escapes `&`, `<` and `>` for text content.
    public static func text(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for ch in string.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Escapes for a double-quoted attribute value: also `"` and `'`, and newlines (kept as entities).
    public static func attribute(_ string: String) -> String {
        var out = ""
        for ch in string.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "&#10;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
