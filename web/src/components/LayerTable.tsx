import { formatBytes, formatRate } from '../../../src/pulls/index.js';
import { shortDigest } from '../format/digest.js';
import { shortImageRef } from '../format/imageRef.js';
import { shortMediaType } from '../format/mediaType.js';
import type { LayerStatus } from '../state/types.js';
import { ProgressBar } from './ProgressBar.js';

/** Per-layer detail of one pull: which layer moves, how fast, and what kind of blob it is. */
export function LayerTable({
  id,
  layers,
  imageOf,
}: {
  id: string;
  layers: LayerStatus[] | undefined;
  /** image of another pull by id, for a shared layer's owner */
  imageOf?: (pullId: string) => string | undefined;
}) {
  if (!layers) return <p className="layers-note">Loading layers…</p>;
  if (layers.length === 0) return <p className="layers-note">No layer details reported for this pull.</p>;
  return (
    <table className="layers" id={id} data-testid="layers">
      <thead>
        <tr>
          <th scope="col">layer</th>
          <th scope="col">state</th>
          <th scope="col">progress</th>
          <th scope="col" className="num">
            bytes
          </th>
          <th scope="col" className="num">
            speed
          </th>
          <th scope="col">type</th>
        </tr>
      </thead>
      <tbody>
        {layers.map((layer, index) => (
          // A manifest may list the same blob twice (old images repeat the empty layer), and layers keep
          // manifest order, so the position is a stable key.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <tr key={`${index}:${layer.digest}`} data-testid="layer-row" data-digest={layer.digest}>
            <td className="mono" title={layer.digest}>
              {shortDigest(layer.digest)}
            </td>
            <td>
              <span className={`layer-state layer-${layer.state}`}>{layer.state}</span>
              {layer.state === 'shared' && (
                <span className="shared-with" data-testid="shared-with">
                  {' '}
                  with {sharedOwner(layer.sharedWith, imageOf)}
                </span>
              )}
            </td>
            <td>
              <ProgressBar
                percent={layer.state === 'cached' ? 100 : layer.percent}
                label={`layer ${shortDigest(layer.digest)}`}
                status={layer.state}
                size="small"
              />
            </td>
            <td className="num">
              {layer.state === 'cached'
                ? `${formatBytes(layer.totalBytes)} cached`
                : `${formatBytes(layer.downloadedBytes)} / ${layer.totalKnown ? formatBytes(layer.totalBytes) : '?'}`}
            </td>
            <td className="num" data-testid="layer-speed">
              {layer.state === 'downloading' ? formatRate(layer.bytesPerSec) : '–'}
            </td>
            <td title={layer.mediaType} data-testid="layer-media-type">
              {shortMediaType(layer.mediaType)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "shared with <image>": the owning pull's image when it is listed, else its id. */
function sharedOwner(owner: string | undefined, imageOf?: (pullId: string) => string | undefined): string {
  if (!owner) return 'another pull on this node';
  const image = imageOf?.(owner);
  return image ? shortImageRef(image) : `pull ${owner.slice(0, 8)}`;
}
