/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of the key, or of its `{…}` hash tag when
 * it has a non-empty one, modulo 16384), as every cluster node computes it: the fleet keeps a
 * service's keys and channels in one slot and follows that slot's master.
 */
export function slotOf(key: string): number {
  const bytes = Buffer.from(key);
  let from = 0;
  let to = bytes.length;
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) {
      from = open + 1;
      to = close;
    }
  }
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc ^= bytes[i] << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
