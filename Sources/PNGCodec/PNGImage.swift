import CPNG
import Foundation

/// An error from libpng (or the file system), carrying the library's own message.
public struct PNGError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// An 8-bit RGBA image with straight (not premultiplied) alpha, plus PNG text chunks.
///
/// Reading and writing go through a small C helper that owns libpng's `setjmp`, so a libpng error
/// becomes a thrown `PNGError` instead of aborting the process.
public struct PNGImage: Sendable {
    /// The NUL-terminated message a C call wrote into `buffer`.
    static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public let width: Int
    public let height: Int
    /// Row-major RGBA bytes, `width * height * 4` of them.
    public var pixels: [UInt8]
    /// tEXt chunks in file order (`Title`, `Description`, `Software`, ...).
    public var text: [(key: String, value: String)]

    public init(width: Int, height: Int, pixels: [UInt8], text: [(key: String, value: String)] = []) {
        precondition(pixels.count == width * height * 4, "PNGImage needs width * height * 4 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.text = text
    }

    /// The value of the first text chunk named `key`.
    public func textValue(_ key: String) -> String? {
        text.first { $0.key == key }?.value
    }

    /// Writes the image to `url` as a PNG with its text chunks.
    public func write(to url: URL) throws {
        var error = [CChar](repeating: 0, count: 512)
        let keys = text.map { strdup($0.key) }
        let values = text.map { strdup($0.value) }
        defer { (keys + values).forEach { free($0) } }
        let status = pixels.withUnsafeBufferPointer { buffer in
            keys.map { UnsafePointer($0) }.withUnsafeBufferPointer { keyPointers in
                values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
                    cpng_write_rgba(url.path, UInt32(width), UInt32(height), buffer.baseAddress,
                                    width * 4, keyPointers.baseAddress, valuePointers.baseAddress,
                                    Int32(text.count), &error, error.count)
                }
            }
        }
        if status != 0 { throw PNGError(message: Self.text(of: error)) }
    }

    /// Decodes the PNG file at `url`.
    public init(contentsOf url: URL) throws {
        var image = cpng_image()
        var error = [CChar](repeating: 0, count: 512)
        guard cpng_read_file(url.path, &image, &error, error.count) == 0 else {
            throw PNGError(message: Self.text(of: error))
        }
        self.init(decoded: &image)
    }

    /// Decodes PNG bytes.
    public init(data: Data) throws {
        var image = cpng_image()
        var error = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBytes { bytes in
            cpng_read_memory(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &image,
                             &error, error.count)
        }
        guard status == 0 else { throw PNGError(message: Self.text(of: error)) }
        self.init(decoded: &image)
    }

    private init(decoded image: inout cpng_image) {
        defer { cpng_free(&image) }
        let count = Int(image.width) * Int(image.height) * 4
        let pixels = Array(UnsafeBufferPointer(start: image.pixels, count: count))
        var text: [(key: String, value: String)] = []
        if image.texts_length > 0 {
            let raw = UnsafeRawBufferPointer(start: image.texts, count: image.texts_length)
            let parts = raw.split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            for i in 0..<Int(image.text_count) where 2 * i + 1 < parts.count {
                text.append((parts[2 * i], parts[2 * i + 1]))
            }
        }
        self.init(width: Int(image.width), height: Int(image.height), pixels: pixels, text: text)
    }

    /// The number of distinct colours, capped at `limit`: a blank image has one.
    public func distinctColorCount(limit: Int = 1000) -> Int {
        var seen = Set<UInt32>()
        var i = 0
        while i < pixels.count && seen.count < limit {
            let value = UInt32(pixels[i]) << 24 | UInt32(pixels[i + 1]) << 16
                | UInt32(pixels[i + 2]) << 8 | UInt32(pixels[i + 3])
            seen.insert(value)
            i += 4
        }
        return seen.count
    }
}
