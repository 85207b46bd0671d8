import CCairo
import Foundation
import PNGCodec

/// An error from Cairo, with Cairo's own status text.
public struct ChartError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A vector file format Cairo writes: figures drop into slides, Beamer or a paper sharp at any size.
public enum VectorFormat: String, CaseIterable, Sendable {
    case svg, pdf
}

/// Draws scenes with Cairo, in DejaVu Sans: on an ARGB image at `scale` pixels per CSS pixel, or into
/// an SVG or PDF file measured in points (one point per CSS pixel), with the text as outlines so the
/// file needs no font.
public final class CairoCanvas: TextMeasurer {
    /// The font every chart uses; Debian's fonts-dejavu-core provides it.
    public static let fontFamily = "DejaVu Sans"

    private let surface: OpaquePointer
    private let context: OpaquePointer
    private let isVector: Bool
    public let scale: Double
    public let pixelWidth: Int
    public let pixelHeight: Int

    public init(width: Double, height: Double, scale: Double = 2) throws {
        self.scale = scale
        pixelWidth = Int((width * scale).rounded())
        pixelHeight = Int((height * scale).rounded())
        isVector = false
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(pixelWidth), Int32(pixelHeight)) else {
            throw ChartError(message: "Cairo could not create a \(pixelWidth)x\(pixelHeight) surface")
        }
        (self.surface, context) = try Self.context(on: surface)
        cairo_scale(context, scale, scale)
    }

    /// A canvas that writes `format` to `file` when `finish()` is called.
    public init(width: Double, height: Double, format: VectorFormat, file: URL) throws {
        scale = 1
        pixelWidth = Int(width.rounded())
        pixelHeight = Int(height.rounded())
        isVector = true
        let surface: OpaquePointer? = switch format {
        case .svg: cairo_svg_surface_create(file.path, width, height)
        case .pdf: cairo_pdf_surface_create(file.path, width, height)
        }
        guard let surface else { throw ChartError(message: "Cairo could not create \(file.path)") }
        if format == .pdf {
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Membership Inference Lessons (Cairo)")
        }
        (self.surface, context) = try Self.context(on: surface)
    }

    private static func context(on surface: OpaquePointer) throws -> (OpaquePointer, OpaquePointer) {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else {
            cairo_surface_destroy(surface)
            throw ChartError(message: "Cairo: " + String(cString: cairo_status_to_string(status)))
        }
        return (surface, context)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Completes a vector file: Cairo writes the document when its surface is finished.
    public func finish() throws {
        guard isVector else { return }
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw ChartError(message: "Cairo: " + String(cString: cairo_status_to_string(status)))
        }
    }

    private func font(size: Double, bold: Bool) {
        cairo_select_font_face(context, Self.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    public func measure(_ text: String, size: Double, bold: Bool) -> (width: Double, height: Double) {
        font(size: size, bold: bold)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        var fontExtents = cairo_font_extents_t()
        cairo_font_extents(context, &fontExtents)
        return (extents.x_advance, fontExtents.ascent + fontExtents.descent)
    }

    private func setColor(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    private func finish(stroke: Color?, lineWidth: Double, dash: [Double] = [], fill: Color?) {
        if let fill {
            setColor(fill)
            if stroke != nil { cairo_fill_preserve(context) } else { cairo_fill(context) }
        }
        if let stroke {
            setColor(stroke)
            cairo_set_line_width(context, lineWidth)
            cairo_set_dash(context, dash, Int32(dash.count), 0)
            cairo_stroke(context)
        }
        cairo_new_path(context)
    }

    /// Draws every mark of `scene` in order.
    public func draw(_ scene: Scene) throws {
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_ROUND)
        for mark in scene.marks {
            switch mark {
            case let .path(points, closed, stroke, lineWidth, dash, fill):
                guard let first = points.first else { continue }
                cairo_move_to(context, first.x, first.y)
                for p in points.dropFirst() { cairo_line_to(context, p.x, p.y) }
                if closed { cairo_close_path(context) }
                finish(stroke: stroke, lineWidth: lineWidth, dash: dash, fill: fill)
            case let .rect(x, y, w, h, stroke, lineWidth, fill):
                cairo_rectangle(context, x, y, w, h)
                finish(stroke: stroke, lineWidth: lineWidth, fill: fill)
            case let .circle(center, radius, stroke, lineWidth, fill):
                cairo_new_sub_path(context)
                cairo_arc(context, center.x, center.y, radius, 0, 2 * .pi)
                finish(stroke: stroke, lineWidth: lineWidth, fill: fill)
            case let .clip(x, y, w, h):
                cairo_save(context)
                cairo_rectangle(context, x, y, w, h)
                cairo_clip(context)
            case .unclip:
                cairo_restore(context)
            case let .text(text, at, size, bold, color, horizontal, vertical, rotation):
                font(size: size, bold: bold)
                var extents = cairo_text_extents_t()
                cairo_text_extents(context, text, &extents)
                var fontExtents = cairo_font_extents_t()
                cairo_font_extents(context, &fontExtents)
                let dx: Double = switch horizontal {
                case .start: 0
                case .middle: -extents.x_advance / 2
                case .end: -extents.x_advance
                }
                let dy: Double = switch vertical {
                case .top: fontExtents.ascent
                case .middle: (fontExtents.ascent - fontExtents.descent) / 2
                case .baseline: 0
                case .bottom: -fontExtents.descent
                }
                cairo_save(context)
                cairo_translate(context, at.x, at.y)
                cairo_rotate(context, -rotation * .pi / 180)
                cairo_move_to(context, dx, dy)
                setColor(color)
                cairo_show_text(context, text)
                cairo_new_path(context)
                cairo_restore(context)
            }
        }
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw ChartError(message: "Cairo: " + String(cString: cairo_status_to_string(status)))
        }
    }

    /// The drawing as straight-alpha RGBA (Cairo stores premultiplied, native-endian ARGB).
    public func image(text: [(key: String, value: String)]) -> PNGImage {
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var rgba = [UInt8](repeating: 0, count: pixelWidth * pixelHeight * 4)
        for y in 0..<pixelHeight {
            let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<pixelWidth {
                let argb = row[x]
                let a = UInt32(argb >> 24)
                var r = (argb >> 16) & 0xFF, g = (argb >> 8) & 0xFF, b = argb & 0xFF
                if a > 0 && a < 255 {
                    r = min(255, (r * 255 + a / 2) / a); g = min(255, (g * 255 + a / 2) / a); b = min(255, (b * 255 + a / 2) / a)
                }
                let o = (y * pixelWidth + x) * 4
                rgba[o] = UInt8(r); rgba[o + 1] = UInt8(g); rgba[o + 2] = UInt8(b); rgba[o + 3] = UInt8(a)
            }
        }
        return PNGImage(width: pixelWidth, height: pixelHeight, pixels: rgba, text: text)
    }
}

/// Metadata every PNG carries: tEXt `Title`, `Description` (the alt text) and `Software`.
public func pngText(title: String, description: String) -> [(key: String, value: String)] {
    [("Title", title), ("Description", description), ("Software", "Membership Inference Lessons (Cairo, libpng)")]
}

