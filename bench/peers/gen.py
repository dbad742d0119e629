#!/usr/bin/env python3
"""Generate the peer benchmark's feeds: 1,000 feeds, ~30 items each, on 64
loopback hosts, deterministic from a seed.

Writes, under OUT:
  www/h<NN>/<kind>/<slug>.<rss|atom>   the feed files nginx serves
  feeds.toml                           bantin's configuration (1,000 sources)
  urls                                 newsboat's urls file (one URL a line)
  expected.json                        counts: feeds, items, distinct stories

Texts are Vietnamese with diacritics. A body is a few hundred words of HTML
paragraphs, like a provincial portal's article: sentences come from an
order-2 word chain trained on a real article (../shared/seed-article.txt when
given, else a built-in excerpt), with names, places, numbers and dates filled
in, so two different stories share little text (as two real articles do)
while a story carried by 2-3 feeds keeps its body, with a reworded title and
its own "Nguồn: ..." line.

Only the standard library: the script runs before any venv exists.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
from xml.sax.saxutils import escape

# A fallback corpus when the seed article is not available (the benchmark
# must run from a bare checkout); the real article gives better chains.
FALLBACK = """Ngày 03/8, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh tiếp và làm việc với Đoàn công tác của Bộ Y tế về công tác phòng, chống dịch bệnh tại địa phương.
Tại buổi làm việc, Giám đốc Sở Y tế đã báo cáo nhanh tình hình, kết quả công tác phòng, chống dịch của tỉnh trong thời gian qua.
Các đơn vị triển khai thực hiện hiệu quả chỉ đạo của Tỉnh ủy, UBND tỉnh, chủ động xây dựng và triển khai các phương án ứng phó với từng cấp độ của dịch.
Lực lượng công an đã phối hợp với chính quyền cơ sở tăng cường tuần tra, kiểm soát, bảo đảm an ninh trật tự trên địa bàn.
Trong năm, toàn tỉnh đã giải ngân vốn đầu tư công đạt kết quả cao, nhiều công trình trọng điểm được đưa vào sử dụng, góp phần phát triển kinh tế xã hội.
Ngành nông nghiệp tập trung chuyển đổi cơ cấu cây trồng, vật nuôi, hỗ trợ nông dân tiêu thụ sản phẩm, nâng cao thu nhập cho người dân vùng nông thôn.
Sở Giáo dục và Đào tạo chỉ đạo các trường chuẩn bị tốt cơ sở vật chất, đội ngũ giáo viên cho năm học mới, bảo đảm an toàn cho học sinh.
Đồng chí yêu cầu các sở, ngành, địa phương tiếp tục quán triệt, thực hiện nghiêm các văn bản chỉ đạo của Trung ương và của tỉnh.
"""

PROVINCES = [
    "Hậu Giang", "Vĩnh Long", "Cần Thơ", "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Kiên Giang",
    "An Giang", "Đồng Tháp", "Tiền Giang", "Bến Tre", "Trà Vinh", "Long An", "Tây Ninh",
    "Bình Dương", "Đồng Nai", "Bình Phước", "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Kon Tum",
    "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận",
    "Bình Thuận", "Thừa Thiên Huế", "Quảng Trị", "Quảng Bình", "Hà Tĩnh", "Nghệ An",
    "Thanh Hóa", "Ninh Bình", "Nam Định", "Thái Bình", "Hải Dương", "Hưng Yên",
    "Bắc Ninh", "Bắc Giang", "Lạng Sơn", "Cao Bằng", "Hà Giang", "Tuyên Quang",
    "Yên Bái", "Lào Cai", "Điện Biên", "Sơn La", "Hòa Bình", "Phú Thọ", "Vĩnh Phúc",
    "Thái Nguyên", "Quảng Ninh", "Hải Phòng", "Đà Nẵng", "Hà Nam", "Bắc Kạn",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đồng", "Trương", "Lương", "Phan", "Vũ", "Tô"]
MIDDLE = ["Văn", "Thị", "Quốc", "Minh", "Thanh", "Phước", "Việt", "Hữu", "Ngọc", "Đức",
          "Xuân", "Thu", "Kim", "Công", "Bảo"]
GIVEN = ["Hùng", "Hòa", "Hưng", "Lan", "Mai", "Tuấn", "Dũng", "Thảo", "Phương", "Sơn",
         "Hải", "Nam", "Trung", "Khoa", "Yến", "Hạnh", "Long", "Quân", "Tâm", "Nghĩa",
         "Thắng", "Vinh", "Hiếu", "Linh", "Chiến", "Toàn", "Khánh", "Đạt", "Trí", "Nhân"]
RANKS = ["Phó Chủ tịch UBND tỉnh", "Giám đốc Sở Y tế", "Thượng tá", "Đại tá",
         "Bí thư Huyện ủy", "Chủ tịch UBND huyện", "Giám đốc Công an tỉnh",
         "Phó Giám đốc Sở Nông nghiệp và Phát triển nông thôn", "Giám đốc Bệnh viện Đa khoa tỉnh",
         "Trưởng ban Tuyên giáo Tỉnh ủy", "Giám đốc Sở Giáo dục và Đào tạo"]
PLACES = ["huyện Châu Thành", "thị xã Long Mỹ", "thành phố Vị Thanh", "huyện Phụng Hiệp",
          "xã Tân Phước Hưng", "phường Ngã Bảy", "huyện Vị Thủy", "xã Hỏa Lựu",
          "huyện Tam Bình", "thị trấn Một Ngàn", "xã Long Thạnh", "huyện Trà Ôn",
          "phường 5", "xã Vĩnh Viễn", "huyện Long Hồ", "xã Phú Hữu"]

# Themes: (title openings, words a body of that theme brings). Two of them
# carry the topics' keywords, so the topics match part of the corpus only.
THEMES = {
    "y-te": (
        ["Tăng cường công tác phòng, chống dịch bệnh tại", "Bệnh viện Đa khoa tỉnh triển khai",
         "Đẩy mạnh tiêm chủng mở rộng cho trẻ em ở", "Kiểm tra an toàn thực phẩm tại các bếp ăn",
         "Ngành y tế chủ động ứng phó với sốt xuất huyết tại",
         "Nâng cao chất lượng khám chữa bệnh cho người dân"],
        ["y tế", "bệnh viện", "tiêm chủng", "bác sĩ", "xét nghiệm", "người bệnh"],
    ),
    "an-ninh": (
        ["Công an tỉnh triệt phá đường dây ma túy ở", "Bảo đảm an ninh trật tự dịp cuối năm tại",
         "Khởi tố vụ án lừa đảo chiếm đoạt tài sản ở", "Tuần tra, kiểm soát an toàn giao thông tại",
         "Cảnh sát phòng cháy chữa cháy diễn tập phương án ở",
         "Bắt giữ đối tượng trộm cắp tài sản tại"],
        ["công an", "cảnh sát", "ma túy", "an ninh trật tự", "khởi tố", "đối tượng"],
    ),
    "kinh-te": (
        ["Đẩy nhanh tiến độ giải ngân vốn đầu tư công tại", "Hội nghị xúc tiến đầu tư vào",
         "Tháo gỡ khó khăn cho doanh nghiệp nhỏ và vừa ở", "Khánh thành cầu nông thôn mới tại",
         "Phát triển du lịch cộng đồng gắn với bảo tồn văn hóa ở"],
        ["doanh nghiệp", "vốn đầu tư", "công trình", "tăng trưởng", "ngân sách", "dự án"],
    ),
    "nong-nghiep": (
        ["Nông dân trúng mùa lúa Thu Đông tại", "Chuyển đổi cây trồng thích ứng hạn mặn ở",
         "Hỗ trợ tiêu thụ nông sản cho bà con", "Xây dựng vùng nguyên liệu đạt chuẩn tại",
         "Phòng chống dịch tả lợn châu Phi trên đàn vật nuôi ở"],
        ["nông dân", "lúa", "cây trồng", "hợp tác xã", "thu hoạch", "vật nuôi"],
    ),
    "giao-duc": (
        ["Khai giảng năm học mới tại các trường ở", "Trao học bổng cho học sinh nghèo vượt khó",
         "Bồi dưỡng đội ngũ giáo viên dạy chương trình mới tại",
         "Sửa chữa phòng học xuống cấp trước mùa mưa bão ở"],
        ["học sinh", "giáo viên", "nhà trường", "năm học", "phụ huynh", "lớp học"],
    ),
}

# Title rewordings a second portal applies to a story it copies.
REWORD = [
    ("Tăng cường", "Đẩy mạnh"), ("Đẩy mạnh", "Tăng cường"), ("tại", "ở"), ("ở", "tại"),
    ("triển khai", "thực hiện"), ("Bảo đảm", "Đảm bảo"), ("cho người dân", "cho nhân dân"),
    ("Bắt giữ", "Bắt"), ("Khởi tố", "Khởi tố, bắt tạm giam"), ("mới", "mới năm 2026"),
]


def words_of(text):
    return re.findall(r"\S+", text)


class Chain:
    """An order-2 word chain: realistic Vietnamese word sequences whose
    exact five-word runs differ from story to story."""

    def __init__(self, text):
        self.starts = []
        self.next = {}
        for line in text.splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
                w = words_of(sentence)
                if len(w) < 4:
                    continue
                self.starts.append((w[0], w[1]))
                for a, b, c in zip(w, w[1:], w[2:]):
                    self.next.setdefault((a, b), []).append(c)

    def sentence(self, rng, fill, lo=12, hi=32):
        a, b = rng.choice(self.starts)
        out = [a, b]
        limit = rng.randint(lo, hi)
        while len(out) < limit * 2:
            options = self.next.get((a, b))
            # Jump to a new state now and then, and at dead ends: this is
            # what keeps two stories from sharing long runs of words.
            if not options or rng.random() < 0.05:
                a, b = rng.choice(self.starts)
                if len(out) >= limit:
                    break
                if rng.random() < 0.4:
                    out.append(fill(rng))
                out.extend([a.lower(), b])
                continue
            c = rng.choice(options)
            out.append(c)
            a, b = b, c
            if c.endswith((".", "!", "?")) and len(out) >= limit:
                break
        s = " ".join(out).rstrip(",;:")
        if not s.endswith((".", "!", "?")):
            s += "."
        return s[0].upper() + s[1:]


def person(rng):
    return f"{rng.choice(RANKS)} {rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def filler(rng):
    r = rng.random()
    if r < 0.3:
        return person(rng) + ","
    if r < 0.55:
        return f"tại {rng.choice(PLACES)}, tỉnh {rng.choice(PROVINCES)},"
    if r < 0.8:
        return f"với {rng.randint(2, 9_999)} trường hợp,"
    return f"trong ngày {rng.randint(1, 28)}/{rng.randint(1, 12)},"


def make_story(rng, chain, n, days):
    theme = rng.choice(list(THEMES))
    openings, words = THEMES[theme]
    province = rng.choice(PROVINCES)
    title = f"{rng.choice(openings)} {rng.choice(PLACES)}, tỉnh {province}"
    # 8-20 words: pad short titles with a realistic tail.
    tails = ["trong tháng cao điểm", "năm 2026", "theo kế hoạch của UBND tỉnh",
             "góp phần phát triển kinh tế xã hội địa phương", "sau đợt mưa lớn",
             "với sự tham gia của nhiều lực lượng", "đạt kết quả tích cực"]
    while len(title.split()) < 8:
        title += " " + rng.choice(tails)
    while len(title.split()) > 20:
        title = " ".join(title.split()[:20])
    paragraphs = []
    target = rng.randint(280, 650)  # words: a provincial portal's article
    count = 0
    while count < target:
        sentences = [chain.sentence(rng, filler) for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.5:
            sentences.append(
                f"{person(rng)} nhấn mạnh công tác {rng.choice(words)} tại {province} "
                f"cần được triển khai quyết liệt, đồng bộ."
            )
        p = " ".join(sentences)
        count += len(p.split())
        paragraphs.append(p)
    return {
        "n": n,
        "theme": theme,
        "title": title,
        "paragraphs": paragraphs,
        "author": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
        # A fixed clock: the same seed gives the same files, byte for byte.
        "date": dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc)
        - dt.timedelta(minutes=rng.randint(0, days * 24 * 60)),
    }


def reword(rng, title):
    for a, b in rng.sample(REWORD, len(REWORD)):
        if a in title:
            return title.replace(a, b, 1)
    return title + " (tin tổng hợp)"


def body_html(story, source_name, copy_no, rng):
    paras = list(story["paragraphs"])
    if copy_no > 0 and len(paras) > 3 and rng.random() < 0.5:
        paras.pop()  # a copying portal often cuts the last paragraph
    parts = [f"<p>{escape(p)}</p>" for p in paras]
    if rng.random() < 0.3:
        parts.insert(1, f'<p><img src="/images/{story["n"]}.jpg" alt="Ảnh minh họa"/></p>')
    parts.append(f"<p><em>Nguồn: {escape(source_name)}</em></p>")
    return "\n".join(parts)


def rss(feed, items):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
           "<channel>", f"<title>{escape(feed['name'])}</title>",
           f"<link>{escape(feed['site'])}</link>",
           "<description>Tin tức, sự kiện</description>", "<language>vi</language>"]
    for it in items:
        out += ["<item>", f"<title>{escape(it['title'])}</title>",
                f"<link>{escape(it['link'])}</link>",
                f'<guid isPermaLink="false">{escape(it["guid"])}</guid>',
                f"<pubDate>{it['date'].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>",
                f"<dc:creator>{escape(it['author'])}</dc:creator>",
                f"<description>{escape(it['html'])}</description>", "</item>"]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def atom(feed, items):
    updated = max(it["date"] for it in items).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">',
           f"<title>{escape(feed['name'])}</title>", f"<id>{escape(feed['site'])}</id>",
           f'<link href="{escape(feed["site"])}"/>', f"<updated>{updated}</updated>"]
    for it in items:
        d = it["date"].strftime("%Y-%m-%dT%H:%M:%SZ")
        out += ["<entry>", f"<title>{escape(it['title'])}</title>",
                f'<link href="{escape(it["link"])}"/>', f"<id>{escape(it['guid'])}</id>",
                f"<updated>{d}</updated>", f"<published>{d}</published>",
                f"<author><name>{escape(it['author'])}</name></author>",
                f'<content type="html">{escape(it["html"])}</content>', "</entry>"]
    out += ["</feed>", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--hosts", type=int, default=64)
    ap.add_argument("--seed-article", default="")
    ap.add_argument("--concurrency", type=int, default=1024)
    # Items' dates spread over this many days before 2026-11-30 12:00 UTC.
    ap.add_argument("--days", type=int, default=20)
    args = ap.parse_args()
    if not (1 <= args.feeds <= 100_000 and 1 <= args.items <= 1000 and 1 <= args.hosts <= 250
            and 1 <= args.days <= 3650):
        ap.error("feeds, items, hosts or days out of bounds")

    rng = random.Random(args.seed)
    text = FALLBACK
    if args.seed_article and os.path.exists(args.seed_article):
        with open(args.seed_article, encoding="utf-8") as f:
            text = f.read() + "\n" + FALLBACK
    chain = Chain(text)

    feeds = []
    kinds = ["tin-tuc", "thoi-su", "chinh-quyen", "xa-hoi", "kinh-te"]
    for i in range(args.feeds):
        host = f"127.0.10.{i % args.hosts + 1}"
        province = PROVINCES[i % len(PROVINCES)]
        kind = kinds[(i // args.hosts) % len(kinds)]
        fmt = "atom" if rng.random() < 0.4 else "rss"
        path = f"/h{i % args.hosts + 1:02}/{kind}/nguon-{i:04}.{fmt}"
        feeds.append({
            "i": i, "id": f"f{i:04}", "host": host, "fmt": fmt, "path": path,
            "url": f"http://{host}:{args.port}{path}",
            "site": f"https://{kind}.{i:04}.gov.vn.test/",
            "name": f"Cổng thông tin điện tử tỉnh {province} – nguồn {i:04}",
            "items": [],
        })

    # Slots: every feed has `items` places. Stories take 1 (75 %), 2 (17 %)
    # or 3 (8 %) of them, in a shuffled order, so copies land on random feeds.
    slots = [f for f in range(args.feeds) for _ in range(args.items)]
    rng.shuffle(slots)
    stories = 0
    pos = 0
    while pos < len(slots):
        r = rng.random()
        k = 1 if r < 0.75 else 2 if r < 0.92 else 3
        story = make_story(rng, chain, stories, args.days)
        stories += 1
        taken = slots[pos:pos + k]
        pos += k
        for copy_no, f in enumerate(taken):
            feed = feeds[f]
            title = story["title"] if copy_no == 0 else reword(rng, story["title"])
            feed["items"].append({
                "title": title,
                "link": f"{feed['site']}tin-tuc/{story['n']}-{copy_no}.html",
                "guid": f"{feed['id']}-{story['n']}-{copy_no}",
                "date": story["date"] + dt.timedelta(minutes=17 * copy_no),
                "author": story["author"],
                "html": body_html(story, feed["name"], copy_no, rng),
            })

    total_items = 0
    for feed in feeds:
        path = os.path.join(args.out, "www", feed["path"].lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        items = sorted(feed["items"], key=lambda it: it["date"], reverse=True)
        total_items += len(items)
        with open(path, "w", encoding="utf-8") as f:
            f.write(atom(feed, items) if feed["fmt"] == "atom" else rss(feed, items))

    toml = [
        "# Generated by bench/peers/gen.py: the peer benchmark's 1,000 sources.",
        "[store]", 'path = "store"', "keep_days = 3650", "",
        "[poll]",
        f"concurrency = {args.concurrency}",
        "per_host = 16", 'host_gap = "0s"', 'timeout = "60s"', "",
        '[[topic]]', 'slug = "y-te"', 'title = "Y tế"',
        'keywords = ["y tế", "bệnh viện", "tiêm chủng", "sốt xuất huyết"]', "",
        '[[topic]]', 'slug = "an-ninh"', 'title = "An ninh – Trật tự"',
        'keywords = ["công an", "ma túy", "lừa đảo", "an ninh trật tự"]', "",
    ]
    for feed in feeds:
        toml += ["[[source]]", f'id = "{feed["id"]}"', f'name = "{feed["name"]}"',
                 f'url = "{feed["url"]}"', "allow_private = true", ""]
    with open(os.path.join(args.out, "feeds.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(toml))
    with open(os.path.join(args.out, "urls"), "w", encoding="utf-8") as f:
        f.write("".join(feed["url"] + "\n" for feed in feeds))
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"feeds": len(feeds), "items": total_items, "stories": stories,
                   "atom_feeds": sum(f["fmt"] == "atom" for f in feeds)}, f)
    print(f"generated {len(feeds)} feeds, {total_items} items, {stories} distinct stories")


if __name__ == "__main__":
    main()
