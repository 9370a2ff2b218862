"""What the corpus sweep (bench/corpus_sweep.py) counts as a leak in an output, read by exiftool:
an allow-list of tag groups and names, a deny-list of words, and what a tag says about its input
(a device, a place, a time)."""

from __future__ import annotations

import re

# ------------------------------------------------------------------------------------------------
# The allow-list for outputs. A tag is fine only if its family-0 group is below and its name is in
# that group's set (None: any name, except the always-denied words after). Everything else found
# by exiftool in an output is counted as a leak.
# ------------------------------------------------------------------------------------------------
STRUCTURE_ONLY = None
ALLOWED: dict[str, set[str] | None] = {
    "ExifTool": STRUCTURE_ONLY,  # ExifToolVersion, Warning
    "System": STRUCTURE_ONLY,  # FileName, Directory, FileSize, file-system dates and permissions
    "File": STRUCTURE_ONLY,  # FileType, MIMEType, ImageWidth/Height, EncodingProcess, BitsPerSample...
    "JFIF": {"JFIFVersion", "ResolutionUnit", "XResolution", "YResolution"},
    "Composite": {"ImageSize", "Megapixels", "AvgBitrate", "Rotation", "Duration"},
    "PNG": {"ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression", "Filter", "Interlace",
            "Palette", "Transparency", "AnimationFrames", "AnimationPlays"},
    "RIFF": {"VP8Version", "ImageWidth", "ImageHeight", "HorizontalScale", "VerticalScale", "WebP_Flags",
             "AlphaPreprocessing", "AlphaFiltering", "AlphaCompression", "BackgroundColor",
             "AnimationLoopCount", "Duration", "FrameCount"},
    "GIF": {"GIFVersion", "ImageWidth", "ImageHeight", "HasColorMap", "ColorResolutionDepth", "BitsPerPixel",
            "BackgroundColor", "PixelAspectRatio", "AnimationIterations", "FrameCount", "Duration",
            "TransparentColor"},
    # TIFF outputs: exiftool files baseline TIFF structure under EXIF:IFD0. Only structure passes.
    "EXIF": {"SubfileType", "ImageWidth", "ImageHeight", "BitsPerSample", "Compression",
             "PhotometricInterpretation", "StripOffsets", "SamplesPerPixel", "RowsPerStrip",
             "StripByteCounts", "PlanarConfiguration", "ExtraSamples", "Predictor", "SampleFormat",
             "TileWidth", "TileLength", "TileOffsets", "TileByteCounts"},
    # MP4/MOV: container and stream structure. Dates pass only when zero (see DATE_TAGS).
    "QuickTime": {"MajorBrand", "MinorVersion", "CompatibleBrands", "MovieHeaderVersion", "TimeScale",
                  "Duration", "PreferredRate", "PreferredVolume", "PreviewTime", "PreviewDuration",
                  "PosterTime", "SelectionTime", "SelectionDuration", "CurrentTime", "NextTrackID",
                  "TrackHeaderVersion", "TrackID", "TrackDuration", "TrackLayer", "TrackVolume",
                  "ImageWidth", "ImageHeight", "GraphicsMode", "OpColor", "CompressorID", "SourceImageWidth",
                  "SourceImageHeight", "XResolution", "YResolution", "BitDepth", "VideoFrameRate",
                  "MatrixStructure", "MediaHeaderVersion", "MediaTimeScale", "MediaDuration",
                  "MediaLanguageCode", "HandlerClass", "HandlerType", "Balance", "AudioFormat",
                  "AudioChannels", "AudioBitsPerSample", "AudioSampleRate", "MediaDataSize",
                  "MediaDataOffset", "PixelAspectRatio", "ColorProfiles", "ColorPrimaries",
                  "TransferCharacteristics", "MatrixCoefficients", "VideoFullRangeFlag", "ChromaFormat",
                  "BitDepthLuma", "BitDepthChroma", "ChapterList", "TimeCode", "Rotation",
                  "CompressorName", "CreateDate", "ModifyDate", "TrackCreateDate", "TrackModifyDate",
                  "MediaCreateDate", "MediaModifyDate", "AVCConfigurationVersion", "AVCProfileIndication",
                  "AVCProfileCompatibility", "AVCLevelIndication", "HEVCConfigurationVersion",
                  "GeneralProfileSpace", "GeneralTierFlag", "GeneralProfileIDC", "GenProfileCompatibilityFlags",
                  "ConstraintIndicatorFlags", "GeneralLevelIDC", "MinSpatialSegmentationIDC",
                  "ParallelismType", "TemporalIDNested", "NumTemporalLayers",
                  "AverageFrameRate", "ConstantFrameRate", "CleanAperture", "ProductionAperture",
                  "EncodedPixelsDimensions", "VideoCodec", "MovieDataSize", "MovieDataOffset",
                  # boxes exiftool lists with -u/-ee: free space, sample data and sample tables
                  "Free", "Skip", "Wide", "MediaData", "Unknown_edts", "EditList", "AVCConfiguration",
                  "HEVCConfiguration", "BufferSize", "MaxBitrate", "AverageBitrate", "SyncSampleTable",
                  "CompositionTimeToSample", "SampleToChunk", "SampleSizes", "ChunkOffset", "ChunkOffset64",
                  "TimeToSampleTable", "SampleDescription", "HandlerDescription", "VideoTrackOrder",
                  "SampleGroupDescription", "SampleToGroup", "Unknown_sgpd", "Unknown_sbgp"},
    "Matroska": {"EBMLVersion", "EBMLReadVersion", "EBMLMaxIDLength", "EBMLMaxSizeLength", "DocType",
                 "DocTypeVersion", "DocTypeReadVersion", "TimecodeScale", "Duration", "TrackNumber",
                 "TrackUID", "TrackType", "TrackLanguage", "CodecID", "VideoFrameRate", "ImageWidth",
                 "ImageHeight", "DefaultDuration", "AudioChannels", "AudioSampleRate", "AudioBitsPerSample",
                 "VideoScanType", "DisplayWidth", "DisplayHeight", "DisplayUnit", "CodecPrivate",
                 "FlagDefault", "FlagLacing", "ChromaSubsamplingHorz", "ChromaSubsamplingVert",
                 "ColorRange", "TagTrackUID", "CodecDelay", "SeekPreRoll", "MaxBlockAdditionID"},
    "H264": {"ImageWidth", "ImageHeight"},
}
# Never allowed, whatever the group: embedded pictures and free text.
DENY_WORDS = re.compile(r"thumbnail|preview(?!time|duration)|comment|software|encoder|make|model|artist|"
                        r"copyright|author|gps|serial|owner|title|description|keywords|user|vendor|writing|"
                        r"muxing|location|creat(or|ion)", re.I)
DATE_TAGS = {"CreateDate", "ModifyDate", "TrackCreateDate", "TrackModifyDate", "MediaCreateDate",
             "MediaModifyDate"}
GENERIC_HANDLERS = {"VideoHandler", "SoundHandler", ""}
ZERO_DATES = {"0000:00:00 00:00:00", "1904:01:01 00:00:00", "0", ""}


def identifying_tags(tags: dict[str, object]) -> list[str]:
    """Names of every tag outside the allow-list, as GROUP0:GROUP1:Tag=value (value cut short)."""
    bad = []
    tiff = str(tags.get("File:FileType", "")) in ("TIFF", "BTF")
    for key, value in tags.items():
        if key == "SourceFile":
            continue
        parts = key.split(":")
        group0, name = parts[0], parts[-1]
        allowed = ALLOWED.get(group0, set())
        ok = allowed is STRUCTURE_ONLY or name in allowed
        if group0 == "EXIF" or name == "ExifByteOrder":  # TIFF structure is fine; EXIF in a JPEG is not
            ok = ok and tiff
        if ok and group0 not in ("System", "ExifTool") and DENY_WORDS.search(name):
            ok = False
        if ok and group0 == "File" and DENY_WORDS.search(name):
            ok = False
        if ok and name in DATE_TAGS and str(value).strip() not in ZERO_DATES:
            ok = False
        if name == "HandlerDescription":  # FFmpeg's generic names pass; "Core Media Video" etc. do not
            ok = group0 == "QuickTime" and str(value) in GENERIC_HANDLERS
        if not ok:
            bad.append(f"{key}={str(value)[:60]}")
    return bad


# Groups/tags that make an input "identifying" (for the before/after table, same classifier).
def input_kinds(tags: dict[str, object]) -> set[str]:
    kinds = set()
    for key in tags:
        parts = key.split(":")
        g0, g1, name = parts[0], parts[1] if len(parts) > 2 else "", parts[-1]
        if g1 == "GPS" or name.startswith("GPS") or name in ("GPSCoordinates", "LocationInformation"):
            kinds.add("GPS")
        if g0 == "MakerNotes":
            kinds.add("maker notes")
        if g0 == "XMP":
            kinds.add("XMP")
        if g0 == "IPTC":
            kinds.add("IPTC")
        if g0 == "ICC_Profile":
            kinds.add("ICC profile")
        if re.search(r"thumbnail|preview", name, re.I) and "Image" in name or g1 == "MPImage2":
            kinds.add("embedded picture")
        if name in ("Make", "Model", "SerialNumber", "BodySerialNumber", "InternalSerialNumber"):
            kinds.add("device")
    return kinds
