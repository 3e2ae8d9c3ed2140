//! What makes the press file a PDF/X-4 file beyond its pages: the output intent (`GTS_PDFX`,
//! the press profile embedded), the version key in the XMP metadata and the document
//! information (`GTS_PDFXVersion`), the `Trapped` key, the XMP identifiers PDF/X-4 asks for,
//! transparency groups blended in CMYK, and the PDF 1.6 header PDF/X-4 is based on.
//!
//! Typst/krilla write the file (fonts embedded, the XMP packet, the document identifier);
//! this completes it with lopdf, the PDF object crate the project already uses.

use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use super::profile;

/// The PDF/X version the press edition declares.
pub const PDFX_VERSION: &str = "PDF/X-4";

/// Adds the output intent, the PDF/X keys and metadata.
pub fn declare(doc: &mut Document) -> Result<(), String> {
    doc.version = "1.6".to_string();
    let mut icc = Dictionary::new();
    icc.set("N", Object::Integer(4));
    icc.set("Alternate", Object::Name(b"DeviceCMYK".to_vec()));
    let mut icc = Stream::new(icc, profile::PROFILE.to_vec());
    icc.compress().map_err(|e| e.to_string())?;
    let icc_id = doc.add_object(Object::Stream(icc));
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFX".to_vec()));
    intent.set("OutputConditionIdentifier", text(profile::CONDITION));
    intent.set("OutputCondition", text(profile::CONDITION_INFO));
    intent.set("RegistryName", text(profile::REGISTRY));
    intent.set("Info", text(profile::CONDITION_INFO));
    intent.set("DestOutputProfile", Object::Reference(icc_id));
    let intent_id = doc.add_object(Object::Dictionary(intent));

    let info_id = match doc.trailer.get(b"Info") {
        Ok(Object::Reference(id)) => *id,
        _ => {
            let id = doc.add_object(Object::Dictionary(Dictionary::new()));
            doc.trailer.set("Info", Object::Reference(id));
            id
        }
    };
    let info = doc.get_dictionary_mut(info_id).map_err(|e| e.to_string())?;
    info.set("Trapped", Object::Name(b"False".to_vec()));
    info.set("GTS_PDFXVersion", text(PDFX_VERSION));
    // The modification date PDF/X asks for: the creation date (the build never reads the clock).
    if info.get(b"ModDate").is_err()
        && let Ok(created) = info.get(b"CreationDate").cloned()
    {
        info.set("ModDate", created);
    }
    let info = info.clone();

    let catalog = doc.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set("OutputIntents", Object::Array(vec![Object::Reference(intent_id)]));
    catalog.remove(b"Version");
    let metadata = match catalog.get(b"Metadata") {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    let packet = match metadata.and_then(|id| doc.get_object(id).ok()).and_then(|o| o.as_stream().ok()) {
        Some(stream) => {
            String::from_utf8(stream.decompressed_content().unwrap_or_else(|_| stream.content.clone())).map_err(|_| "the XMP metadata is not UTF-8")?
        }
        None => String::new(),
    };
    let packet = xmp_with_pdfx(&packet, &info)?;
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    // Uncompressed, as metadata should be: any tool reading the file finds it.
    let mut stream = Stream::new(dict, packet.into_bytes());
    stream.allows_compression = false;
    let metadata_id = doc.add_object(Object::Stream(stream));
    doc.catalog_mut().map_err(|e| e.to_string())?.set("Metadata", Object::Reference(metadata_id));
    blend_in_cmyk(doc);
    Ok(())
}

fn text(value: &str) -> Object {
    Object::String(value.as_bytes().to_vec(), StringFormat::Literal)
}

/// Transparency groups blended in RGB (Typst's default) are blended in CMYK instead: a
/// PDF/X-4 file with a CMYK output intent has no RGB.
fn blend_in_cmyk(doc: &mut Document) {
    let set = |dict: &mut Dictionary| {
        if let Ok(Object::Dictionary(group)) = dict.get_mut(b"Group")
            && group.get(b"S").and_then(|s| s.as_name()).ok() == Some(b"Transparency")
            && group.has(b"CS")
        {
            group.set("CS", Object::Name(b"DeviceCMYK".to_vec()));
        }
    };
    for object in doc.objects.values_mut() {
        match object {
            Object::Dictionary(dict) => set(dict),
            Object::Stream(stream) => set(&mut stream.dict),
            _ => {}
        }
    }
}

/// The XMP packet `packet` (Typst's, or empty) with the PDF/X-4 properties: the version,
/// `pdf:Trapped`, and the identifiers and rendition class, each only where the packet does
/// not have it already.
pub fn xmp_with_pdfx(packet: &str, info: &Dictionary) -> Result<String, String> {
    // What Typst says that PDF/X-4 says otherwise: the file is a final rendition, not a
    // proof, and its header is PDF 1.6.
    let packet = &replace_element(&replace_element(packet, "xmpMM:RenditionClass", "default"), "pdf:PDFVersion", "1.6");
    let mut properties = format!("      <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>\n");
    let missing = |name: &str| !packet.contains(&format!("<{name}>")) && !packet.contains(&format!("{name}=\""));
    if missing("pdf:Trapped") {
        properties += "      <pdf:Trapped>False</pdf:Trapped>\n";
    }
    // An identifier for the document and this version of it, from the title and dates.
    let seed = format!("{:?}{:?}", info.get(b"Title").ok(), info.get(b"CreationDate").ok());
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, seed.as_bytes());
    if missing("xmpMM:DocumentID") {
        properties += &format!("      <xmpMM:DocumentID>uuid:{id}</xmpMM:DocumentID>\n");
    }
    if missing("xmpMM:InstanceID") {
        properties += &format!("      <xmpMM:InstanceID>uuid:{id}</xmpMM:InstanceID>\n");
    }
    if missing("xmpMM:VersionID") {
        properties += "      <xmpMM:VersionID>1</xmpMM:VersionID>\n";
    }
    if missing("xmpMM:RenditionClass") {
        properties += "      <xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n";
    }
    let description = format!(
        "    <rdf:Description rdf:about=\"\" xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\n{properties}    </rdf:Description>\n"
    );
    if packet.trim().is_empty() {
        return Ok(format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n  <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n{description}  </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
        ));
    }
    let Some(end) = packet.rfind("</rdf:RDF>") else {
        return Err("the XMP metadata has no rdf:RDF element".into());
    };
    Ok(format!("{}{description}{}", &packet[..end], &packet[end..]))
}

/// `packet` with the text of every `<name>…</name>` element replaced by `value`.
fn replace_element(packet: &str, name: &str, value: &str) -> String {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = String::with_capacity(packet.len());
    let mut rest = packet;
    while let Some(start) = rest.find(&open) {
        let Some(end) = rest[start..].find(&close) else { break };
        out.push_str(&rest[..start + open.len()]);
        out.push_str(value);
        rest = &rest[start + end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xmp_packet_gets_the_pdfx_version_once() {
        let packet = "<?xpacket begin=\"\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"><xmpMM:DocumentID>uuid:1</xmpMM:DocumentID></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
        let out = xmp_with_pdfx(packet, &Dictionary::new()).unwrap();
        assert_eq!(out.matches("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>").count(), 1);
        assert_eq!(out.matches("xmpMM:DocumentID>").count(), 2, "the packet's own identifier is kept, not repeated: {out}");
        assert!(out.contains("<pdf:Trapped>False</pdf:Trapped>") && out.contains("<xmpMM:RenditionClass>default"));
        assert!(out.ends_with("</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"));
        assert!(xmp_with_pdfx("<x/>", &Dictionary::new()).is_err());
        let typst =
            packet.replace("</rdf:Description>", "<xmpMM:RenditionClass>proof</xmpMM:RenditionClass><pdf:PDFVersion>1.7</pdf:PDFVersion></rdf:Description>");
        let out = xmp_with_pdfx(&typst, &Dictionary::new()).unwrap();
        assert!(out.contains("<xmpMM:RenditionClass>default</xmpMM:RenditionClass>") && !out.contains(">proof<"), "{out}");
        assert!(out.contains("<pdf:PDFVersion>1.6</pdf:PDFVersion>") && !out.contains("1.7"), "{out}");
        assert_eq!(out.matches("RenditionClass>").count(), 2, "not added twice: {out}");
    }
}
