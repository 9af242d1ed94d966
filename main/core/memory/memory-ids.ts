// Ids of the local store's memories and history entries: UUIDv7, which begin with their creation
// time. A random id lands on a random page of its unique index, so a batch of inserts rewrote most
// of those pages (and the WAL carried them all); ids in time order fill the last page. uuid draws
// each id's random bytes through WebCrypto, a cost paid twice per capture; they are drawn 4 KB at a
// time instead. Ids of one millisecond then follow each other in random order, on the same page.
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const randomPool = new Uint8Array(4096);
let randomUsed = randomPool.length;
export function newId(): string {
  if (randomUsed === randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  randomUsed += 16;
  return v7({ random: randomPool.subarray(randomUsed - 16, randomUsed) });
}
