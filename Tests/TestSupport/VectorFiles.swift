import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Checks on the vector files the course writes, for tests: they must open in other programs.
public enum VectorFiles {
    /// True when `data` parses as XML whose root element is `<svg>`.
    public static func isSVG(_ data: Data) -> Bool {
        final class Root: NSObject, XMLParserDelegate {
            var name: String?
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
                if name == nil { name = elementName }
            }
        }
        let parser = XMLParser(data: data)
        let root = Root()
        parser.delegate = root
        return parser.parse() && root.name == "svg"
    }

    /// The number of pages of a PDF (its `/Type /Page` objects), or nil when `data` is not a PDF.
    public static func pdfPageCount(_ data: Data) -> Int? {
        guard data.starts(with: Array("%PDF-".utf8)) else { return nil }
        let text = String(decoding: data, as: Unicode.ASCII.self)
        let pattern = try! NSRegularExpression(pattern: "/Type\\s*/Page(?![a-zA-Z])")
        return pattern.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }
}
