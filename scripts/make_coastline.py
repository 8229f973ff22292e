"""Make sim/report/data/land_110m_study_area.json from world-atlas's land-110m.json (Natural Earth 1:110m land).

Run once by hand: `npm pack world-atlas` into /tmp, unpack, then
`python scripts/make_coastline.py /tmp/package/land-110m.json sim/report/data/land_110m_study_area.json`.
Decodes the TopoJSON arcs (quantised, delta-encoded), keeps the land rings that touch the study area, clamps their
points to it, drops repeated points and rounds to 0.1 degree; nothing is downloaded at run time.
"""

import json
import sys

LON, LAT = (-25.0, 65.0), (0.0, 62.0)


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Every arc as (lon, lat) points: TopoJSON's delta-encoded integers through the quantisation transform."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A closed ring from arc indices (a negative index ~i is arc i reversed); shared end points kept once."""
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def clamp(points: list[tuple[float, float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for lon, lat in points:
        p = [round(min(max(lon, LON[0]), LON[1]), 1), round(min(max(lat, LAT[0]), LAT[1]), 1)]
        if not out or p != out[-1]:
            out.append(p)
    return out


def main(source: str, target: str) -> None:
    topo = json.load(open(source))
    arcs = decode_arcs(topo)
    rings = []
    for geometry in topo["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indices in polygon:
                points = ring(indices, arcs)
                inside = any(LON[0] <= lon <= LON[1] and LAT[0] <= lat <= LAT[1] for lon, lat in points)
                clamped = clamp(points)
                if inside and len(clamped) >= 4:
                    rings.append(clamped)
    out = {"source": "Natural Earth 1:110m land via world-atlas 2.0.2 (land-110m.json); public domain",
           "lon": list(LON), "lat": list(LAT), "rings": rings}
    with open(target, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
