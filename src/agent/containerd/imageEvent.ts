// Reads the image name out of an /images/create or /images/update event payload
// (containerd.services.images.v1.ImageCreate / ImageUpdate: name = field 1). Events arrive as
// google.protobuf.Any bytes; only this one field is needed, so it is read directly.

export const IMAGE_EVENT_TYPES = ['containerd.services.images.v1.ImageCreate', 'containerd.services.images.v1.ImageUpdate'];

/** Field 1 (string) of a protobuf message; undefined when absent or malformed. */
export function imageNameFromEvent(value: Uint8Array): string | undefined {
  let pos = 0;
  const varint = (): number | undefined => {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= value.length) return undefined;
      const byte = value[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    return undefined;
  };
  while (pos < value.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 2) {
      const len = varint();
      if (len === undefined || pos + len > value.length) return undefined;
      if (field === 1) return Buffer.from(value.subarray(pos, pos + len)).toString('utf8');
      pos += len;
    } else if (wire === 0) {
      if (varint() === undefined) return undefined;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      return undefined;
    }
  }
  return undefined;
}
