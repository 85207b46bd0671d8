import Foundation

/// Turns the small part of TeX that lessons need for the paper's formulas into MathML, which every
/// current browser draws natively: no script, no network, and it prints.
///
/// Lessons write display math in a ```` ```math ```` block and inline math as $`…`$ (GitHub's
/// syntax). Supported: letters, numbers, operators, `{…}` groups, `^` and `_`, `\frac`, `\sqrt`,
/// `\text`, `\mathrm`, `\operatorname`, `\hat`, `\bar`, `\tilde`, `\left…\right`, big operators
/// (`\sum`, `\prod`), function names (`\log`, `\exp`, `\max`, …), Greek letters, common relations
/// and arrows, and spacing (`\,` `\;` `\quad`). Anything else is an error naming the command, so
/// a typo is caught at build time rather than shown as garbage.
public enum MathML {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// 0-based offset in the TeX source where the problem starts.
        public var offset: Int
        public var message: String
        public var description: String { message }
        public init(offset: Int, message: String) {
            self.offset = offset
            self.message = message
        }
    }

    /// The MathML element for `tex`: `<math display="block">` when `display`, inline otherwise.
    public static func render(_ tex: String, display: Bool) throws -> String {
        var parser = Parser(characters: Array(tex), display: display)
        let body = try parser.expression(until: nil)
        let attributes = display ? " display=\"block\"" : ""
        return "<math\(attributes)>\(body.count == 1 ? body[0] : "<mrow>\(body.joined())</mrow>")</math>"
    }

    // MARK: - Tables of symbols

    static let greek: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
        "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
        "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
        "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
        "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    ]
    static let operators: [String: String] = [
        "ell": "ℓ", "cdot": "·", "times": "×", "div": "÷", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
        "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "equiv": "≡", "in": "∈", "notin": "∉",
        "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "to": "→", "rightarrow": "→",
        "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "mapsto": "↦", "mid": "∣", "ldots": "…",
        "cdots": "⋯", "infty": "∞", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃",
        "land": "∧", "lor": "∨", "neg": "¬", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
        "langle": "⟨", "rangle": "⟩", "|": "‖", "{": "{", "}": "}", "%": "%", "#": "#", "&": "&amp;", "_": "_",
    ]
    /// Symbols that are quantities, not operators: set as identifiers.
    static let symbolIdentifiers: Set<String> = ["ell", "ldots", "cdots", "infty", "partial", "nabla"]
    static let bigOperators: [String: String] = ["sum": "∑", "prod": "∏", "int": "∫"]
    static let functions: Set<String> = ["log", "ln", "exp", "max", "min", "arg", "sin", "cos", "tanh", "sup",
                                         "inf", "lim", "det", "Pr", "softmax", "argmax"]
    static let limitFunctions: Set<String> = ["max", "min", "lim", "sup", "inf", "argmax"]
    static let accents: [String: String] = ["hat": "^", "bar": "¯", "tilde": "~", "vec": "→", "dot": "˙"]
    static let spaces: [String: String] = [",": "0.1667em", ":": "0.2222em", ";": "0.2778em", "quad": "1em",
                                           "qquad": "2em", " ": "0.25em", "!": "-0.1667em"]

    // MARK: - Parser

    /// A recursive-descent reader over the TeX characters; each method returns MathML strings.
    struct Parser {
        let characters: [Character]
        let display: Bool
        var position = 0

        init(characters: [Character], display: Bool) {
            self.characters = characters
            self.display = display
        }

        func fail(_ message: String, at offset: Int? = nil) -> Failure {
            Failure(offset: offset ?? position, message: message)
        }

        mutating func skipSpace() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        /// How many groups deep the reader is; bounded so hostile input cannot exhaust the stack.
        var depth = 0
        static let maximumDepth = 64

        /// Atoms up to `terminator` ("}" or "\right"), or the end when nil.
        mutating func expression(until terminator: String?) throws -> [String] {
            var items: [String] = []
            while true {
                skipSpace()
                if position >= characters.count {
                    if let terminator { throw fail("missing '\(terminator == "}" ? "}" : "\\right")' to close the group") }
                    return items
                }
                if terminator == "}", characters[position] == "}" { position += 1; return items }
                if characters[position] == "}" { throw fail("'}' without a matching '{'") }
                if terminator == "\\right", peekCommand() == "right" { return items }
                if peekCommand() == "right" { throw fail("\\right without a matching \\left") }
                items.append(try atom())
            }
        }

        func peekCommand() -> String? {
            guard position < characters.count, characters[position] == "\\" else { return nil }
            var end = position + 1
            while end < characters.count, characters[end].isLetter { end += 1 }
            if end == position + 1, end < characters.count { end += 1 }
            return String(characters[(position + 1)..<end])
        }

        /// A primary followed by any `_` and `^` scripts.
        mutating func atom() throws -> String {
            let (base, isBigOperator) = try primary()
            var sub: String?, sup: String?
            while true {
                skipSpace()
                guard position < characters.count, characters[position] == "_" || characters[position] == "^" else { break }
                let isSub = characters[position] == "_"
                let at = position
                position += 1
                if (isSub ? sub : sup) != nil { throw fail("double \(isSub ? "subscript" : "superscript"); group with braces", at: at) }
                let script = try argument()
                if isSub { sub = script } else { sup = script }
            }
            let under = isBigOperator && display
            switch (sub, sup) {
            case (nil, nil): return base
            case (let s?, nil): return under ? "<munder>\(base)\(s)</munder>" : "<msub>\(base)\(s)</msub>"
            case (nil, let p?): return under ? "<mover>\(base)\(p)</mover>" : "<msup>\(base)\(p)</msup>"
            case (let s?, let p?): return under ? "<munderover>\(base)\(s)\(p)</munderover>" : "<msubsup>\(base)\(s)\(p)</msubsup>"
            }
        }

        /// One argument: a `{…}` group or a single token.
        mutating func argument() throws -> String {
            skipSpace()
            guard position < characters.count else { throw fail("a script or command argument is missing at the end") }
            if characters[position] == "{" {
                position += 1
                let items = try expression(until: "}")
                return items.count == 1 ? items[0] : "<mrow>\(items.joined())</mrow>"
            }
            return try primary().markup
        }

        /// The raw text of a `{…}` argument (for `\text`).
        mutating func rawArgument() throws -> String {
            skipSpace()
            guard position < characters.count, characters[position] == "{" else { throw fail("expected '{' after the command") }
            position += 1
            var depth = 1, text = ""
            while position < characters.count {
                let c = characters[position]
                position += 1
                if c == "{" { depth += 1 } else if c == "}" { depth -= 1; if depth == 0 { return text } }
                text.append(c)
            }
            throw fail("missing '}' to close the group")
        }

        mutating func primary() throws -> (markup: String, isBigOperator: Bool) {
            // Every level of nesting ({…}, \frac, \sqrt, accents, scripts) passes through here.
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else { throw fail("math nested more than \(Self.maximumDepth) groups deep") }
            let start = position
            let c = characters[position]
            if c == "{" {
                position += 1
                let items = try expression(until: "}")
                return ("<mrow>\(items.joined())</mrow>", false)
            }
            if c == "\\" { return try command(start: start) }
            if c.isNumber || (c == "." && position + 1 < characters.count && characters[position + 1].isNumber) {
                var number = ""
                while position < characters.count, characters[position].isNumber || characters[position] == "." {
                    number.append(characters[position]); position += 1
                }
                return ("<mn>\(number)</mn>", false)
            }
            position += 1
            if c.isLetter { return ("<mi>\(HTML.text(String(c)))</mi>", false) }
            switch c {
            case "^", "_": throw fail("'\(c)' needs something before it", at: start)
            case "-": return ("<mo>−</mo>", false)
            case "'": return ("<mo>′</mo>", false)
            case "*": return ("<mo>∗</mo>", false)
            case "(", ")", "[", "]", "|": return ("<mo stretchy=\"false\">\(c)</mo>", false)
            case "$": throw fail("'$' inside math; the math is already delimited", at: start)
            default: return ("<mo>\(HTML.text(String(c)))</mo>", false)
            }
        }

        mutating func command(start: Int) throws -> (markup: String, isBigOperator: Bool) {
            guard let name = peekCommand(), !name.isEmpty else { throw fail("a lone '\\' at the end") }
            position += 1 + name.count
            if let space = spaces[name] { return ("<mspace width=\"\(space)\"></mspace>", false) }
            if let letter = greek[name] {
                // Capital Greek letters are upright, lower-case ones italic, as in print.
                return (name.first!.isUppercase ? "<mi mathvariant=\"normal\">\(letter)</mi>" : "<mi>\(letter)</mi>", false)
            }
            if let symbol = operators[name] {
                return (symbolIdentifiers.contains(name) ? "<mi>\(symbol)</mi>" : "<mo>\(symbol)</mo>", false)
            }
            if let symbol = bigOperators[name] { return ("<mo largeop=\"true\" movablelimits=\"true\">\(symbol)</mo>", true) }
            if functions.contains(name) {
                let mi = "<mi>\(name == "argmax" ? "arg max" : name)</mi>"
                return (mi, limitFunctions.contains(name))
            }
            if let accent = accents[name] {
                let base = try argument()
                return ("<mover accent=\"true\">\(base)<mo>\(HTML.text(accent))</mo></mover>", false)
            }
            switch name {
            case "frac":
                let numerator = try argument(), denominator = try argument()
                return ("<mfrac>\(numerator)\(denominator)</mfrac>", false)
            case "sqrt":
                return ("<msqrt>\(try argument())</msqrt>", false)
            case "text":
                return ("<mtext>\(HTML.text(try rawArgument()))</mtext>", false)
            case "mathrm", "operatorname":
                return ("<mi mathvariant=\"normal\">\(HTML.text(try rawArgument()))</mi>", false)
            case "mathbf":
                return ("<mi mathvariant=\"bold\">\(HTML.text(try rawArgument()))</mi>", false)
            case "left":
                let open = try delimiter()
                let items = try expression(until: "\\right")
                position += 1 + "right".count
                let close = try delimiter()
                return ("<mrow>\(open)\(items.joined())\(close)</mrow>", false)
            default:
                throw fail("unknown TeX command '\\\(name)' in math", at: start)
            }
        }

        /// The delimiter after `\left` or `\right`: a character, `\{`, `\|`, `\langle`, … or `.` for none.
        mutating func delimiter() throws -> String {
            skipSpace()
            guard position < characters.count else { throw fail("\\left and \\right need a delimiter") }
            if characters[position] == "." { position += 1; return "" }
            if characters[position] == "\\", let name = peekCommand(), let symbol = operators[name] {
                position += 1 + name.count
                return "<mo>\(symbol)</mo>"
            }
            let c = characters[position]
            guard "()[]|/".contains(c) else { throw fail("'\(c)' cannot follow \\left or \\right") }
            position += 1
            return "<mo>\(c)</mo>"
        }
    }
}
