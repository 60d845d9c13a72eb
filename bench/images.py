"""Photo pipeline benchmark: a 4000x3000 JPEG through every derivative, beside `vipsthumbnail`.

Run: `.venv/bin/python -m bench.images`. Each side runs in its own process so its peak memory
(ru_maxrss of the child) is its own. Targets: ratio < 3x, peak < 150 MB.
"""
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_RATIO = 3.0
TARGET_PEAK_MB = 150
RUNS = 5

# The peak is VmHWM, this process's own high-water mark. Not ru_maxrss: Linux carries that across
# exec from the parent, so under `make bench`, after the catalog benches, it read the parent's 200 MB.
CHILD = """
import json, re, sys, time
from storefront.media.pipeline import process_image
data = open(sys.argv[1], "rb").read()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    processed = process_image(data)
    times.append(time.perf_counter() - start)
with open("/proc/self/status") as status:
    peak_kb = int(re.search(r"^VmHWM:\\s+(\\d+) kB", status.read(), re.M).group(1))
print(json.dumps({"seconds": min(times), "files": len(processed.derivatives), "peak_kb": peak_kb}))
"""


def make_photo(path: Path, width=4000, height=3000):
    """A busy synthetic 12 MP photo (many coloured shapes, noise) saved as a quality-90 JPEG with EXIF."""
    from PIL import Image, ImageDraw
    rng = random.Random(4000)
    image = Image.effect_noise((width, height), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(1500):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle([x, y, x + rng.randrange(5, 120), y + rng.randrange(5, 120)],
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())


def ensure_vipsthumbnail():
    """Path of vipsthumbnail, installing Debian's libvips-tools when we may; None otherwise."""
    found = shutil.which("vipsthumbnail")
    if found or not shutil.which("apt-get"):
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "libvips-tools"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return shutil.which("vipsthumbnail")


def run_pipeline(photo: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(photo), str(RUNS)], capture_output=True,
                            text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(result.stdout.strip().splitlines()[-1])


VIPS_CHILD = """
import json, resource, subprocess, sys, time
times = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    subprocess.run([sys.argv[1], sys.argv[2], "--size", "1280", "-o", sys.argv[3]], check=True)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": min(times), "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run_vips(vips: str, photo: Path, out_dir: Path) -> dict:
    """Timed from a small parent process whose only children are vipsthumbnail runs (clean peak)."""
    result = subprocess.run([sys.executable, "-c", VIPS_CHILD, vips, str(photo), str(out_dir / "vips-%s.jpg"),
                             str(RUNS)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo = tmp / "photo-4000x3000.jpg"
        make_photo(photo)
        ours = run_pipeline(photo)
        figures = {
            "photo_bytes": photo.stat().st_size,
            "pipeline_seconds": round(ours["seconds"], 3),
            "pipeline_files": ours["files"],
            "pipeline_peak_mb": round(ours["peak_kb"] / 1024, 1),
        }
        print(f"photo: 4000x3000 JPEG, {figures['photo_bytes'] / 1e6:.1f} MB; best of {RUNS} runs")
        print(f"telar pipeline: {figures['pipeline_seconds']:.3f} s for {ours['files']} derivatives "
              f"(160/320/640/1280 x WebP+JPEG), peak {figures['pipeline_peak_mb']} MB "
              f"(target < {TARGET_PEAK_MB} MB)")
        vips = ensure_vipsthumbnail()
        if vips is None:
            print("vipsthumbnail not installed")
            figures["vips_seconds"] = None
            figures["ratio"] = None
            return figures
        theirs = run_vips(vips, photo, tmp)
        figures["vips_seconds"] = round(theirs["seconds"], 3)
        figures["vips_peak_mb"] = round(theirs["peak_kb"] / 1024, 1)
        figures["ratio"] = round(ours["seconds"] / theirs["seconds"], 2)
        print(f"vipsthumbnail: {figures['vips_seconds']:.3f} s for one 1280 px JPEG (whole process), "
              f"peak {figures['vips_peak_mb']} MB")
        print(f"ratio: {figures['ratio']}x (target < {TARGET_RATIO}x)")
    return figures


if __name__ == "__main__":
    main()
