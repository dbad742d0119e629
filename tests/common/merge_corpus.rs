//! A generated labelled corpus for the merge: hundreds of RSS and Atom
//! sources of Vietnamese provincial news, a `feeds.toml` for them and the
//! labels `bantin eval` reads.
//!
//! Deterministic for a seed (its own PRNG, no clock, no network). The
//! seed also draws the corpus's parameters (how many copies, how often
//! each trap), so that several seeds are several corpora rather than one
//! corpus reshuffled. The sentence, title and boilerplate pools can be
//! split in halves ([`Pools`]): a rule tuned on one half is checked on
//! text it never saw.
//!
//! What it holds:
//! - true copies on other sources, 1 to 48 hours after the original:
//!   titles decorated (`Hậu Giang: ` prefix, `(video)`, a credit), cased
//!   differently, reordered or rewritten outright; summary instead of full
//!   text; links pointing at the original with `utm_` parameters, the
//!   mobile host or a trailing slash; a dateline or a `Nguồn: ...` footer
//!   added, a sentence dropped;
//! - hard negatives, each item tagged with its trap groups in `traps`:
//!   stories sharing 1–3 sentences of a common pool (`pool:N`), stories
//!   opening with a standard police or health lead (`lead:N`), daily
//!   bulletins of one template with other numbers (`bulletin:N`), notices
//!   with one identical short summary under different titles
//!   (`generic:N`), and a story whose long text contains the summary of
//!   an unrelated story (`contain:N`).
//!
//! Two items are the same story when they have the same `cluster`; two
//! items of different clusters sharing a trap group are a hard negative.

#![allow(dead_code)] // the test and the example use different parts

use std::fmt::Write as _;
use std::path::Path;

/// Which half of every pool the corpus draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pools {
    All,
    Even,
    Odd,
}

#[derive(Debug, Clone)]
pub struct Params {
    pub seed: u64,
    pub sources: usize,
    pub pools: Pools,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub sources: usize,
    pub items: usize,
    pub stories: usize,
    /// Items of stories carried by more than one source.
    pub copied_items: usize,
}

/// The rates one seed draws.
#[derive(Debug, Clone)]
struct Rates {
    days: u64,
    copied: f64,
    pool: f64,
    lead: f64,
    bulletin_series: usize,
    generic: f64,
    contain: f64,
    summary_sources: f64,
    rewritten_title: f64,
    link_variant: f64,
}

/// SplitMix64: small, and the same on every platform and Rust release.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------- pools

const PROVINCES: &[&str] = &[
    "Hậu Giang",
    "Cần Thơ",
    "Sóc Trăng",
    "Bạc Liêu",
    "Cà Mau",
    "Kiên Giang",
    "An Giang",
    "Đồng Tháp",
    "Vĩnh Long",
    "Trà Vinh",
    "Bến Tre",
    "Tiền Giang",
    "Long An",
    "Tây Ninh",
    "Bình Phước",
    "Đồng Nai",
    "Bình Dương",
    "Lâm Đồng",
    "Đắk Lắk",
    "Gia Lai",
    "Kon Tum",
    "Quảng Ngãi",
    "Bình Định",
    "Phú Yên",
    "Khánh Hòa",
    "Ninh Thuận",
    "Bình Thuận",
    "Quảng Nam",
    "Thừa Thiên Huế",
    "Quảng Trị",
    "Quảng Bình",
    "Hà Tĩnh",
    "Nghệ An",
    "Thanh Hóa",
    "Ninh Bình",
    "Nam Định",
    "Thái Bình",
    "Hải Dương",
    "Hưng Yên",
    "Bắc Ninh",
    "Phú Thọ",
    "Yên Bái",
    "Lào Cai",
    "Hà Giang",
    "Tuyên Quang",
    "Thái Nguyên",
    "Lạng Sơn",
    "Cao Bằng",
    "Sơn La",
    "Điện Biên",
];
const DISTRICTS: &[&str] = &[
    "Phụng Hiệp",
    "Long Mỹ",
    "Vị Thủy",
    "Châu Thành A",
    "Ngã Bảy",
    "Vị Thanh",
    "Cái Răng",
    "Ô Môn",
    "Thốt Nốt",
    "Phong Điền",
    "Mỹ Tú",
    "Kế Sách",
    "Trần Đề",
    "Vĩnh Châu",
    "Giá Rai",
    "Hồng Dân",
    "Đầm Dơi",
    "Năm Căn",
    "U Minh",
    "Tân Hiệp",
    "Giồng Riềng",
    "Chợ Mới",
    "Tịnh Biên",
    "Lấp Vò",
    "Tam Nông",
    "Mang Thít",
    "Trà Ôn",
    "Cầu Kè",
    "Duyên Hải",
    "Mỏ Cày",
    "Ba Tri",
    "Cái Bè",
    "Gò Công",
    "Đức Hòa",
    "Cần Giuộc",
    "Trảng Bàng",
    "Bù Đăng",
    "Đồng Xoài",
    "Long Thành",
    "Nhơn Trạch",
    "Dĩ An",
    "Bảo Lộc",
    "Krông Pắc",
    "Chư Sê",
    "Đắk Hà",
    "Sơn Tịnh",
    "Hoài Nhơn",
    "Tuy An",
    "Cam Lâm",
    "Ninh Phước",
];
const COMMUNES: &[&str] = &[
    "Hòa Mỹ",
    "Tân Long",
    "Long Thạnh",
    "Vị Bình",
    "Thạnh Xuân",
    "Phương Bình",
    "Hiệp Hưng",
    "Tân Bình",
    "Long Bình",
    "Vĩnh Viễn",
    "Lương Tâm",
    "Xà Phiên",
    "Đông Phước",
    "Nhơn Nghĩa",
    "Tân Phú Thạnh",
    "Mỹ Quới",
    "Tân Thành",
    "Đại Thành",
    "Hỏa Lựu",
    "Hỏa Tiến",
    "Vị Tân",
    "Phú Hữu",
    "Đông Thạnh",
    "Trường Long",
    "Nhơn Ái",
    "Giai Xuân",
    "Mỹ Khánh",
    "Thới An",
    "Trung Kiên",
    "Tân Lộc",
];
const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Lâm", "Trương", "Phan", "Tô",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Minh", "Quốc", "Thanh", "Hoàng", "Ngọc", "Hữu", "Đức",
];
const GIVEN: &[&str] = &[
    "Hùng", "Khải", "Sáu", "Tâm", "Phúc", "Lộc", "Hòa", "Nam", "Bình", "Hải", "Yến", "Lan", "Hoa",
    "Tuấn", "Dũng", "Thắng", "Long", "Khánh", "Trí", "Nghĩa", "Phương", "Thảo",
];
const CRIMES: &[&str] = &[
    "trộm cắp xe mô tô",
    "lừa đảo chiếm đoạt tài sản",
    "mua bán trái phép chất ma túy",
    "tổ chức đánh bạc qua mạng",
    "cho vay lãi nặng",
    "tàng trữ pháo nổ",
    "vận chuyển thuốc lá lậu",
    "cố ý gây thương tích",
    "buôn lậu xăng dầu",
    "khai thác cát trái phép",
    "trộm cắp tài sản",
    "giả danh cán bộ ngân hàng",
    "mua bán hàng giả",
    "chống người thi hành công vụ",
];
const DISEASES: &[&str] = &[
    "sốt xuất huyết",
    "tay chân miệng",
    "sởi",
    "cúm A",
    "bạch hầu",
    "thủy đậu",
    "ho gà",
    "viêm não Nhật Bản",
    "dại",
    "tiêu chảy cấp",
];
const HOSPITALS: &[&str] = &[
    "Bệnh viện Đa khoa tỉnh",
    "Bệnh viện Sản Nhi",
    "Trung tâm Y tế huyện",
    "Bệnh viện Y học cổ truyền",
    "Bệnh viện Lao và Bệnh phổi",
    "Bệnh viện Đa khoa khu vực",
    "Trạm Y tế xã",
    "Bệnh viện Mắt",
    "Bệnh viện Phục hồi chức năng",
];
const SCHOOLS: &[&str] = &[
    "Trường THPT",
    "Trường THCS",
    "Trường Tiểu học",
    "Trường Mầm non",
    "Trường Cao đẳng Cộng đồng",
    "Trung tâm Giáo dục thường xuyên",
    "Trường Phổ thông Dân tộc nội trú",
];
const PROJECTS: &[&str] = &[
    "dự án đường tỉnh 931",
    "công trình kè chống sạt lở",
    "dự án khu tái định cư",
    "cầu Cái Côn",
    "tuyến đường cao tốc Cần Thơ - Cà Mau",
    "dự án nhà ở xã hội",
    "công trình trụ sở làm việc",
    "dự án nâng cấp hệ thống thủy lợi",
    "khu công nghiệp Tân Phú Thạnh",
    "chợ trung tâm",
    "dự án cấp nước sạch nông thôn",
];
const CROPS: &[&str] = &[
    "lúa Hè Thu",
    "khóm",
    "bưởi Năm Roi",
    "mía",
    "cam sành",
    "xoài cát",
    "sầu riêng",
    "thanh long",
    "khoai lang",
    "dưa hấu",
    "tôm càng xanh",
    "cá tra",
];
const SERVICES: &[&str] = &[
    "khám bệnh bảo hiểm y tế",
    "hồ sơ cấp căn cước",
    "hồ sơ đăng ký đất đai",
    "hồ sơ hộ tịch trực tuyến",
    "tiêm chủng dịch vụ",
    "hồ sơ cấp giấy phép lái xe",
];

/// One story's particulars: what its title and its sentences speak of.
struct Context {
    prov: &'static str,
    district: &'static str,
    commune: &'static str,
    person: String,
    crime: &'static str,
    disease: &'static str,
    hospital: &'static str,
    school: &'static str,
    project: &'static str,
    crop: &'static str,
    service: &'static str,
    n: usize,
    money: usize,
    age: usize,
    day: u32,
    month: u32,
}

/// A domain: its titles, and sentences as an opener, an action and a
/// detail, so that two stories of one domain rarely share a whole
/// sentence.
struct Domain {
    titles: &'static [&'static str],
    openers: &'static [&'static str],
    actions: &'static [&'static str],
    details: &'static [&'static str],
}

const POLICE: Domain = Domain {
    titles: &[
        "Bắt quả tang {N} đối tượng {crime} tại {district}",
        "Khởi tố vụ án {crime} xảy ra ở xã {commune}, huyện {district}",
        "Công an huyện {district} triệt phá đường dây {crime}, bắt {N} đối tượng",
        "Tạm giữ hình sự {person} về hành vi {crime} tại {district}",
        "Phát hiện {N} đối tượng {crime} trên địa bàn {district}",
        "Truy bắt nhanh nghi phạm {crime} ở xã {commune} sau {N} giờ",
        "Xử lý nghiêm nhóm {N} thanh niên {crime} tại {district}",
        "Điều tra làm rõ vụ {crime} ở {district} gây thiệt hại {money} triệu đồng",
        "Cháy nhà dân ở xã {commune}, huyện {district}, thiệt hại khoảng {money} triệu đồng",
        "Tai nạn giao thông trên Quốc lộ 61 đoạn qua {district}, {N} người bị thương",
    ],
    openers: &[
        "Rạng sáng ngày {day}/{month}, người dân ấp {commune}",
        "Làm việc với cơ quan điều tra, {person}",
        "Trung tá {person}, Phó Trưởng Công an huyện {district},",
        "Theo lời kể của một người dân sống gần hiện trường, nhóm đối tượng",
        "Tiếp nhận tin báo, Cảnh sát phòng cháy chữa cháy huyện {district}",
        "Kết quả giám định ban đầu cho thấy, tang vật thu giữ",
        "Ngày {day}/{month}, Công an huyện {district}",
        "Theo thông tin từ Công an tỉnh {prov}, lực lượng chức năng",
        "Khoảng 21 giờ ngày {day}/{month}, tổ công tác Công an xã {commune}",
        "Qua công tác nắm tình hình, Phòng Cảnh sát hình sự",
        "Sau thời gian theo dõi, Đội Cảnh sát điều tra tội phạm về ma túy",
        "Trước đó, người dân ở ấp {commune}",
        "Tại cơ quan điều tra, đối tượng {person}",
        "Cùng ngày, Viện Kiểm sát nhân dân huyện {district}",
        "Theo hồ sơ vụ việc, năm {age}",
        "Đại diện Công an xã {commune}",
        "Cũng trong đợt kiểm tra này, Đội Cảnh sát giao thông",
        "Ngay sau khi nhận tin báo, lãnh đạo Công an huyện {district}",
    ],
    actions: &[
        "đã vận động gia đình đưa đối tượng {person} đến cơ quan Công an đầu thú",
        "ghi nhận lời khai của {n} nhân chứng có mặt tại hiện trường vụ việc",
        "trích xuất camera an ninh của {n} hộ dân dọc tuyến đường liên ấp",
        "tạm giữ {n} xe mô tô không rõ nguồn gốc cùng nhiều giấy tờ giả",
        "mời {n} người có liên quan đến trụ sở để làm việc, xác minh",
        "phát hiện đối tượng cất giấu tang vật trong kho hàng phía sau nhà",
        "tiếp tục mở rộng điều tra, truy bắt các đối tượng còn lẩn trốn",
        "đề nghị Viện Kiểm sát phê chuẩn lệnh bắt tạm giam {n} tháng",
        "đã bắt quả tang {person} (sinh năm 19{age}) đang thực hiện hành vi {crime}",
        "phát hiện một nhóm {n} đối tượng có biểu hiện nghi vấn liên quan đến {crime}",
        "thu giữ nhiều tang vật gồm điện thoại di động, xe mô tô và số tiền hơn {money} triệu đồng",
        "tiến hành khám xét khẩn cấp nơi ở của đối tượng và lập biên bản sự việc",
        "khai nhận đã nhiều lần thực hiện hành vi {crime} trên địa bàn huyện {district}",
        "đã phê chuẩn quyết định khởi tố bị can đối với {person} về tội {crime}",
        "trình báo bị mất tài sản trị giá khoảng {money} triệu đồng",
        "huy động {n} cán bộ chiến sĩ phối hợp truy xét, khoanh vùng đối tượng",
        "lập hồ sơ xử lý {n} trường hợp vi phạm nồng độ cồn và chạy quá tốc độ",
        "đến hiện trường phối hợp với chính quyền địa phương bảo vệ hiện trường",
        "cho biết đối tượng có nhân thân xấu, từng có tiền án về tội {crime}",
        "dập tắt đám cháy sau gần {n} giờ, không có thiệt hại về người",
    ],
    details: &[
        " vào khoảng {n} giờ sáng",
        " gần cầu {commune}",
        " khi đang trên đường tẩu thoát",
        " trước sự chứng kiến của đại diện chính quyền xã {commune}",
        " tại ấp {commune}, huyện {district}",
        " nhằm kịp thời ngăn chặn hành vi vi phạm pháp luật",
        " theo đơn trình báo của người dân",
        " trong đêm ngày {day}/{month}",
        " để phục vụ công tác điều tra mở rộng",
        " với sự tham gia của lực lượng Công an các xã lân cận",
        ", đồng thời tạm giữ {n} phương tiện liên quan",
        " tại khu vực chợ trung tâm huyện {district}",
        "",
        " trên tuyến đường liên xã {commune}",
    ],
};

const HEALTH: Domain = Domain {
    titles: &[
        "{hospital} {district} cứu sống bệnh nhân {age} tuổi bị {disease} biến chứng nặng",
        "Tăng cường phòng, chống bệnh {disease} tại huyện {district} sau {N} ca mắc mới",
        "Sở Y tế {prov} kiểm tra {N} bếp ăn tập thể tại huyện {district}, xử phạt {money} triệu đồng",
        "Triển khai tiêm {money} liều vắc xin phòng bệnh {disease} cho trẻ em ở {district}",
        "Phát hiện {N} ca mắc {disease} tại xã {commune}, huyện {district}",
        "{hospital} {district} tiếp nhận trang thiết bị y tế trị giá {money} triệu đồng",
        "Thông báo tạm ngưng tiếp nhận {service} tại {hospital} {district} trong {N} ngày",
        "Khám bệnh, cấp thuốc miễn phí cho {money} người dân xã {commune}, huyện {district}",
        "Nghi ngộ độc thực phẩm sau bữa tiệc ở xã {commune}, huyện {district}, {N} người nhập viện",
        "Phẫu thuật thành công cho cụ bà {age} tuổi tại {hospital} {district}",
    ],
    openers: &[
        "Chiều ngày {day}/{month}, ông {person}, Giám đốc {hospital}",
        "Người nhà bệnh nhân cho biết, trước khi nhập viện",
        "Kết quả xét nghiệm tại {hospital}",
        "Điều dưỡng {person}, khoa Nội tổng hợp",
        "Ông {person}, ngụ xã {commune}, đưa con đến khám và",
        "Theo kế hoạch, từ nay đến cuối tháng {month}, Trung tâm Y tế huyện {district}",
        "Ngày {day}/{month}, {hospital}",
        "Theo Trung tâm Kiểm soát bệnh tật tỉnh {prov}",
        "Bác sĩ {person}, Trưởng khoa Hồi sức tích cực",
        "Trước đó, bệnh nhân {person} ({age} tuổi, ngụ xã {commune})",
        "Để chủ động phòng bệnh, Sở Y tế tỉnh {prov}",
        "Đoàn kiểm tra liên ngành về an toàn thực phẩm huyện {district}",
        "Qua điều tra dịch tễ, Trạm Y tế xã {commune}",
        "Đại diện Trung tâm Y tế huyện {district}",
        "Sau {n} ngày điều trị tích cực, sức khỏe người bệnh",
        "Từ đầu năm đến nay, toàn huyện {district}",
        "Theo ngành y tế, thời điểm giao mùa",
        "Tại buổi lễ tiếp nhận, lãnh đạo {hospital}",
    ],
    actions: &[
        "đã truyền {n} đơn vị máu và theo dõi sát các chỉ số sinh tồn của người bệnh",
        "phun hóa chất diệt muỗi tại {n} khu vực có nguy cơ cao",
        "lấy {n} mẫu bệnh phẩm gửi Viện Pasteur xét nghiệm",
        "tăng cường {n} giường bệnh và bố trí khu cách ly riêng cho người bệnh",
        "tư vấn cho người nhà cách chăm sóc, theo dõi sau khi xuất viện",
        "chuyển {n} ca nặng lên tuyến trên để tiếp tục điều trị",
        "tập huấn chuyên môn cho {n} nhân viên y tế thôn, ấp",
        "ghi nhận bệnh nhân có tiền sử tăng huyết áp và đái tháo đường nhiều năm",
        "đã tiếp nhận và cấp cứu kịp thời người bệnh trong tình trạng sốt cao, khó thở",
        "ghi nhận {n} ca mắc bệnh {disease}, tăng so với cùng kỳ năm trước",
        "yêu cầu các cơ sở y tế chủ động giám sát, phát hiện sớm và xử lý triệt để ổ dịch",
        "đã tiến hành lấy mẫu thực phẩm để xét nghiệm, xác định nguyên nhân",
        "tổ chức chiến dịch vệ sinh môi trường, diệt lăng quăng tại {n} hộ gia đình",
        "đã hồi phục tốt, ăn uống được và dự kiến xuất viện trong tuần tới",
        "khuyến cáo người dân đưa trẻ đi tiêm chủng đầy đủ, đúng lịch",
        "cho biết bệnh viện đã hội chẩn toàn viện và quyết định can thiệp phẫu thuật",
        "kiểm tra {n} cơ sở kinh doanh, xử phạt {n} cơ sở vi phạm với số tiền {money} triệu đồng",
        "phân bổ {n} liều vắc xin phòng bệnh {disease} cho các trạm y tế",
        "bày tỏ cảm ơn các nhà hảo tâm đã hỗ trợ trang thiết bị trị giá {money} triệu đồng",
        "nâng cao chất lượng khám, chữa bệnh cho người dân vùng sâu, vùng xa",
    ],
    details: &[
        " tại khoa Cấp cứu",
        " trong vòng {n} giờ sau khi nhập viện",
        " cho người cao tuổi và trẻ em dưới {n} tuổi",
        " ở các ấp vùng ven sông",
        " trên địa bàn huyện {district}",
        " theo đúng hướng dẫn của Bộ Y tế",
        " trong thời gian sớm nhất",
        ", nhất là tại các trường học và khu dân cư đông người",
        " tại xã {commune}",
        "",
        " với sự phối hợp của chính quyền địa phương",
        " từ ngày {day}/{month}",
        " nhằm hạn chế thấp nhất số ca tử vong",
    ],
};

const SCHOOL: Domain = Domain {
    titles: &[
        "Lùi thời gian tựu trường của {money} học sinh huyện {district} thêm {N} ngày do mưa lũ",
        "Huyện {district} khánh thành {school} {commune} với {N} phòng học",
        "Trao {money} suất học bổng cho học sinh nghèo vượt khó ở {district}",
        "Kỳ thi tuyển sinh lớp 10 tại {prov} có hơn {money} thí sinh dự thi",
        "{school} {commune} huyện {district} đạt chuẩn quốc gia sau {N} năm phấn đấu",
        "Tập huấn chuyển đổi số cho {money} giáo viên huyện {district}",
        "Tuyên dương {money} học sinh đạt giải kỳ thi học sinh giỏi tỉnh {prov}",
        "Sửa chữa {N} phòng học xuống cấp trước năm học mới ở xã {commune}, huyện {district}",
    ],
    openers: &[
        "Cô {person}, giáo viên chủ nhiệm lớp {n}A,",
        "Theo thống kê của nhà trường, năm học trước",
        "Sáng ngày {day}/{month}, tại điểm trường ấp {commune},",
        "Ông {person}, phụ huynh học sinh ở xã {commune},",
        "Đoàn kiểm tra của Sở Giáo dục và Đào tạo tỉnh {prov}",
        "Với sự hỗ trợ của Quỹ Khuyến học huyện {district}, nhà trường",
        "Ngày {day}/{month}, Sở Giáo dục và Đào tạo tỉnh {prov}",
        "Theo Phòng Giáo dục và Đào tạo huyện {district}",
        "Thầy {person}, Hiệu trưởng {school} {commune}",
        "Năm học này, toàn huyện {district}",
        "Phát biểu tại buổi lễ, đại diện UBND huyện {district}",
        "Trước đó, Hội Khuyến học tỉnh {prov}",
        "Công trình được xây dựng trên diện tích {n} nghìn mét vuông và",
        "Dịp này, nhiều doanh nghiệp trên địa bàn",
        "Em {person}, học sinh lớp {n}",
        "Để bảo đảm an toàn cho học sinh, ngành giáo dục huyện {district}",
    ],
    actions: &[
        "lắp đặt {n} màn hình tương tác thông minh cho các lớp học",
        "bàn giao {n} bộ bàn ghế mới và {n} máy vi tính cho nhà trường",
        "tổ chức lớp bồi dưỡng miễn phí cho {n} học sinh có học lực yếu",
        "mong muốn các em tiếp tục cố gắng, đạt kết quả cao trong học tập",
        "nâng tỷ lệ trường đạt chuẩn quốc gia của huyện lên {n} trường",
        "vận động {n} học sinh có nguy cơ bỏ học trở lại lớp",
        "trao tặng {n} xe đạp cho học sinh ở xa trường",
        "rà soát, bố trí đủ giáo viên dạy Tin học và Tiếng Anh",
        "quyết định lùi thời gian tựu trường thêm {n} ngày so với kế hoạch",
        "có {money} học sinh các cấp bước vào năm học mới",
        "trao tặng {n} suất học bổng, mỗi suất trị giá {money} nghìn đồng",
        "đưa vào sử dụng {n} phòng học, phòng chức năng và khu hiệu bộ",
        "đề nghị các trường rà soát cơ sở vật chất, sửa chữa phòng học xuống cấp",
        "chia sẻ em luôn cố gắng học tập để không phụ lòng thầy cô và gia đình",
        "tổ chức tập huấn ứng dụng công nghệ thông tin cho {n} giáo viên",
        "yêu cầu các đơn vị bảo đảm đủ sách giáo khoa, đồ dùng dạy học",
        "có tổng vốn đầu tư hơn {money} triệu đồng từ nguồn ngân sách tỉnh",
        "đạt tỷ lệ tốt nghiệp trung học phổ thông trên {n} phần trăm",
    ],
    details: &[
        " ở điểm trường lẻ",
        " từ học kỳ {n}",
        " cho học sinh dân tộc thiểu số",
        " với sự đồng hành của Hội Cha mẹ học sinh",
        " trên địa bàn huyện {district}",
        " trước ngày khai giảng",
        " cho năm học 2026 - 2027",
        " tại xã {commune}",
        "",
        " nhằm tạo điều kiện thuận lợi cho việc dạy và học",
        " theo kế hoạch của UBND tỉnh {prov}",
        " với sự tham gia của phụ huynh học sinh",
    ],
};

const GOVERNMENT: Domain = Domain {
    titles: &[
        "Chủ tịch UBND tỉnh {prov} kiểm tra tiến độ {project} tại {district}, đạt {N}% khối lượng",
        "Thủ tướng chủ trì phiên họp về {project} tại {district} với {N} bộ, ngành",
        "HĐND tỉnh {prov} khai mạc kỳ họp thứ {N}, xem xét {money} tờ trình",
        "Hội nghị bàn giải pháp thu hút {money} tỷ đồng vốn đầu tư vào huyện {district}",
        "Nông dân {district} trúng mùa {crop}, thu lãi hơn {money} triệu đồng mỗi héc ta",
        "Giá {crop} tăng lên {money} nghìn đồng, nông dân xã {commune} huyện {district} phấn khởi",
        "Huyện {district} thu hút {N} dự án đầu tư mới với {money} tỷ đồng",
        "Đẩy nhanh giải ngân {money} tỷ đồng vốn đầu tư công cho {project} tại {district}",
        "Ra mắt mô hình dân vận khéo tại xã {commune}, huyện {district} với {N} tổ tự quản",
        "Bàn giao nhà đại đoàn kết cho {N} hộ nghèo ở xã {commune}, huyện {district}",
    ],
    openers: &[
        "Theo ông {person}, Giám đốc Hợp tác xã {commune},",
        "Báo cáo tại buổi làm việc, lãnh đạo UBND huyện {district}",
        "Chiều ngày {day}/{month}, đoàn công tác của tỉnh {prov}",
        "Anh {person}, thành viên tổ hợp tác ấp {commune},",
        "Kết luận buổi làm việc, Phó Chủ tịch UBND tỉnh {prov}",
        "Theo kế hoạch, trong quý tới huyện {district}",
        "Ngày {day}/{month}, ông {person}, Chủ tịch UBND tỉnh {prov}",
        "Theo báo cáo của Ban Quản lý dự án huyện {district}",
        "Phát biểu chỉ đạo, đồng chí {person}",
        "Từ đầu năm đến nay, huyện {district}",
        "Bà {person}, ngụ ấp {commune}, cho biết",
        "Theo Sở Nông nghiệp và Môi trường tỉnh {prov}",
        "Tại hội nghị, các đại biểu",
        "Hiện nay, giá {crop} tại ruộng",
        "Đại diện Ủy ban Mặt trận Tổ quốc huyện {district}",
        "Cũng tại buổi làm việc, lãnh đạo các sở, ngành",
        "Dự kiến đến cuối năm, tỉnh {prov}",
    ],
    actions: &[
        "đề nghị các sở, ngành khẩn trương tháo gỡ vướng mắc về thủ tục đất đai",
        "cho biết đã có {n} hộ dân đồng ý bàn giao mặt bằng",
        "thu hoạch được khoảng {n} tạ mỗi công, giá bán ổn định",
        "hỗ trợ {n} con giống và phân bón cho các hộ tham gia mô hình",
        "đã chuyển đổi {n} héc ta đất lúa kém hiệu quả sang trồng cây ăn trái",
        "xây dựng {n} ki lô mét đường giao thông nông thôn bằng bê tông",
        "ký kết thỏa thuận bao tiêu sản phẩm với {n} hợp tác xã",
        "giao Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện",
        "đã kiểm tra thực tế tiến độ thi công {project}",
        "yêu cầu nhà thầu tập trung nhân lực, máy móc, bảo đảm hoàn thành đúng kế hoạch",
        "đã giải ngân được {n} phần trăm kế hoạch vốn được giao",
        "gia đình thu hoạch {n} tấn {crop}, lãi hơn {money} triệu đồng",
        "thảo luận, góp ý nhiều giải pháp tháo gỡ khó khăn trong giải phóng mặt bằng",
        "dao động từ {n} nghìn đến {money} nghìn đồng mỗi ki lô gam",
        "trao {n} căn nhà đại đoàn kết, mỗi căn trị giá {money} triệu đồng",
        "thu hút thêm {n} dự án với tổng vốn đăng ký hơn {money} tỷ đồng",
        "kiến nghị tỉnh bổ sung kinh phí để hoàn thiện hạ tầng giao thông nông thôn",
        "ghi nhận, đánh giá cao sự nỗ lực của các cấp, các ngành trong thời gian qua",
        "đề ra mục tiêu tăng trưởng kinh tế đạt {n} phần trăm",
    ],
    details: &[
        " trong vụ Đông Xuân",
        " ở vùng chuyên canh của xã {commune}",
        " bằng nguồn vốn xã hội hóa",
        " trước ngày {day}/{month}",
        " trên địa bàn huyện {district}",
        " trong năm 2026",
        " tại xã {commune}",
        "",
        ", góp phần nâng cao đời sống người dân",
        " theo chỉ đạo của Tỉnh ủy {prov}",
        " trước mùa mưa lũ",
        " so với cùng kỳ năm trước",
    ],
};

const DOMAINS: [&Domain; 4] = [&POLICE, &HEALTH, &SCHOOL, &GOVERNMENT];

/// Sentences many unrelated stories carry: closings, advice, credits.
const COMMON: &[&str] = &[
    "Hiện vụ việc đang được cơ quan chức năng tiếp tục điều tra, làm rõ để xử lý theo quy định của pháp luật.",
    "Ngành chức năng khuyến cáo người dân nâng cao cảnh giác, kịp thời báo cho cơ quan Công an khi phát hiện dấu hiệu nghi vấn.",
    "Người dân khi có dấu hiệu sốt cao, mệt mỏi cần đến ngay cơ sở y tế gần nhất để được khám và điều trị kịp thời.",
    "Thời gian tới, địa phương sẽ tiếp tục tăng cường công tác tuyên truyền, vận động để người dân hiểu và đồng thuận thực hiện.",
    "Buổi làm việc diễn ra trong không khí cởi mở, thẳng thắn và đạt được nhiều kết quả thiết thực.",
    "Các đơn vị liên quan được giao phối hợp chặt chẽ, thường xuyên báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh.",
    "Đây là hoạt động thiết thực nhằm chăm lo đời sống vật chất và tinh thần cho người dân trên địa bàn.",
    "Mọi thông tin phản ánh, người dân có thể liên hệ đường dây nóng của cơ quan chức năng để được hướng dẫn, hỗ trợ.",
    "Công tác phòng, chống dịch bệnh cần được thực hiện thường xuyên, liên tục, không được lơ là, chủ quan.",
    "Lãnh đạo địa phương đề nghị các ngành tiếp tục quan tâm, hỗ trợ để người dân sớm ổn định cuộc sống.",
    "Kết thúc đợt kiểm tra, đoàn đã lập biên bản, yêu cầu các cơ sở khắc phục ngay những tồn tại, hạn chế.",
    "Việc làm trên góp phần giữ vững an ninh chính trị, trật tự an toàn xã hội trên địa bàn.",
    "Sự kiện thu hút đông đảo cán bộ, đoàn viên, hội viên và nhân dân trên địa bàn tham gia hưởng ứng.",
    "Đến nay, các công trình đã cơ bản hoàn thành và được bàn giao cho địa phương quản lý, sử dụng.",
    "Người dân cần chủ động vệ sinh nhà cửa, loại bỏ các vật chứa nước đọng quanh nhà để phòng bệnh.",
    "Đơn vị sẽ tiếp tục rà soát, đánh giá kết quả để có giải pháp phù hợp trong thời gian tới.",
    "Cơ quan chức năng đề nghị ai là bị hại của các đối tượng trên liên hệ để phối hợp giải quyết.",
    "Hội nghị cũng đã biểu dương, khen thưởng nhiều tập thể, cá nhân có thành tích xuất sắc.",
    "Ngành y tế đã chuẩn bị sẵn sàng thuốc, vật tư, trang thiết bị để ứng phó khi dịch bệnh gia tăng.",
    "Chính quyền địa phương đã đến thăm hỏi, động viên và hỗ trợ gia đình khắc phục khó khăn trước mắt.",
    "Qua đó góp phần nâng cao nhận thức, ý thức chấp hành pháp luật của người dân.",
    "Mọi vi phạm sẽ bị xử lý nghiêm theo quy định, không có vùng cấm, không có ngoại lệ.",
    "Kế hoạch được triển khai đồng bộ từ cấp tỉnh đến cơ sở, bảo đảm đúng tiến độ đề ra.",
    "Thông tin chi tiết được đăng tải trên cổng thông tin điện tử của đơn vị.",
];

/// Standard openings: two long sentences many different stories start
/// with. `{prov}` and `{num}` are fixed per group.
const LEADS: &[&str] = &[
    "Thực hiện Kế hoạch số {num}/KH-CAT của Công an tỉnh {prov} về đợt cao điểm tấn công, trấn áp tội phạm, bảo đảm an ninh, trật tự dịp cuối năm, lực lượng Công an các huyện, thị xã, thành phố đã đồng loạt ra quân thực hiện nhiều biện pháp nghiệp vụ. Qua công tác nắm tình hình, lực lượng chức năng đã phát hiện, xử lý nhiều vụ việc vi phạm pháp luật trên địa bàn.",
    "Thực hiện Công văn số {num}/SYT-NVY của Sở Y tế tỉnh {prov} về việc tăng cường công tác phòng, chống dịch bệnh mùa mưa, các đơn vị y tế trên địa bàn đã triển khai đồng bộ nhiều giải pháp chuyên môn. Ngành y tế yêu cầu các cơ sở khám, chữa bệnh chuẩn bị đầy đủ thuốc, vật tư và nhân lực để sẵn sàng thu dung, điều trị người bệnh.",
    "Triển khai Chỉ thị số {num}/CT-UBND của Ủy ban nhân dân tỉnh {prov} về tăng cường bảo đảm trật tự an toàn giao thông, lực lượng Cảnh sát giao thông đã tổ chức tuần tra, kiểm soát trên các tuyến quốc lộ, tỉnh lộ trọng điểm. Qua kiểm tra, lực lượng chức năng đã phát hiện và lập biên bản nhiều trường hợp vi phạm.",
    "Thực hiện Kế hoạch số {num}/KH-BCĐ của Ban Chỉ đạo phòng, chống dịch bệnh tỉnh {prov}, các địa phương đã tổ chức ra quân tổng vệ sinh môi trường, diệt lăng quăng, bọ gậy trong khu dân cư. Cán bộ y tế cùng cộng tác viên đến từng hộ gia đình tuyên truyền, hướng dẫn người dân cách phòng bệnh.",
];

/// Daily bulletins: one template, that day's numbers.
const BULLETINS: &[(&str, &str)] = &[
    (
        "{prov} ghi nhận {a} ca mắc sốt xuất huyết mới",
        "Theo Trung tâm Kiểm soát bệnh tật tỉnh {prov}, trong ngày {day}/{month} toàn tỉnh ghi nhận {a} ca mắc sốt xuất huyết mới, nâng tổng số ca mắc từ đầu năm lên {b} ca. Ngành y tế khuyến cáo người dân diệt lăng quăng, loại bỏ vật chứa nước đọng và đến cơ sở y tế khi có dấu hiệu sốt cao. Các huyện có số ca mắc tăng cao được yêu cầu tăng cường giám sát, xử lý ổ dịch kịp thời.",
    ),
    (
        "Kết quả tuần tra, kiểm soát bảo đảm trật tự an toàn giao thông ngày {day}/{month}",
        "Trong ngày {day}/{month}, lực lượng Cảnh sát giao thông Công an tỉnh {prov} đã tuần tra, kiểm soát, phát hiện và lập biên bản {a} trường hợp vi phạm trật tự an toàn giao thông, trong đó có {c} trường hợp vi phạm nồng độ cồn. Lực lượng chức năng đã tạm giữ {d} phương tiện, tước giấy phép lái xe có thời hạn và phạt tiền hơn {b} triệu đồng. Công an tỉnh tiếp tục triển khai các đợt cao điểm bảo đảm trật tự an toàn giao thông.",
    ),
    (
        "Ngày {day}/{month}, toàn tỉnh {prov} xảy ra {a} vụ tai nạn giao thông",
        "Theo báo cáo của Ban An toàn giao thông tỉnh {prov}, ngày {day}/{month} trên địa bàn tỉnh xảy ra {a} vụ tai nạn giao thông, làm chết {c} người, bị thương {d} người. So với ngày trước đó, số vụ tai nạn giảm {e} vụ. Nguyên nhân chủ yếu do người điều khiển phương tiện chạy quá tốc độ, không chú ý quan sát và sử dụng rượu bia khi tham gia giao thông.",
    ),
    (
        "Bản tin phòng, chống dịch bệnh truyền nhiễm ngày {day}/{month}",
        "Ngày {day}/{month}, Sở Y tế tỉnh {prov} ghi nhận {a} ca mắc tay chân miệng, {c} ca mắc sốt xuất huyết và {d} ca mắc sởi. Lũy kế từ đầu năm, toàn tỉnh có {b} ca mắc các bệnh truyền nhiễm thuộc diện theo dõi. Các đơn vị y tế tiếp tục giám sát chặt chẽ tình hình dịch bệnh, chủ động phát hiện sớm, khoanh vùng và xử lý triệt để ổ dịch.",
    ),
];

/// A notice's summary, word for word the same under every title.
const GENERIC_SUMMARIES: &[&str] = &[
    "Ủy ban nhân dân tỉnh thông báo đến các cơ quan, đơn vị, tổ chức và cá nhân được biết, chi tiết nội dung xem trong văn bản đính kèm.",
    "Văn phòng Ủy ban nhân dân huyện trân trọng thông báo để các cơ quan, đơn vị và nhân dân được biết, thực hiện theo đúng quy định hiện hành.",
    "Sở Nội vụ thông báo đến các cơ quan, đơn vị và các cá nhân có liên quan biết để phối hợp thực hiện, nội dung chi tiết được đăng kèm theo.",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh thông báo để các nhà thầu, tổ chức và cá nhân quan tâm được biết, hồ sơ chi tiết xem tại trụ sở đơn vị.",
];
const GENERIC_TITLES: &[&str] = &[
    "Thông báo tuyển dụng {N} viên chức {school} {commune}",
    "Thông báo lịch tiếp công dân của lãnh đạo xã {commune}, huyện {district} tháng {month}",
    "Thông báo mời báo giá mua sắm trang thiết bị cho {hospital} {district}",
    "Thông báo kết quả lựa chọn nhà thầu {project} tại {district}",
    "Thông báo thu hồi đất để thực hiện {project} tại xã {commune}, {district}",
    "Thông báo điều chỉnh giờ làm việc của bộ phận một cửa huyện {district} trong {N} ngày",
    "Thông báo đấu giá {N} thửa đất tại xã {commune}, huyện {district}",
    "Thông báo bố trí {N} cán bộ trực cơ quan của Trung tâm Y tế huyện {district}",
];

const CREDITS: &[&str] = &[
    "Cổng thông tin điện tử tỉnh {prov}",
    "Báo {prov}",
    "Công an tỉnh {prov}",
    "Sở Y tế tỉnh {prov}",
    "Đài Phát thanh và Truyền hình {prov}",
];

fn half<'a>(pool: &'a [&'a str], pools: Pools) -> Vec<&'a str> {
    pool.iter()
        .enumerate()
        .filter(|(i, _)| match pools {
            Pools::All => true,
            Pools::Even => i % 2 == 0,
            Pools::Odd => i % 2 == 1,
        })
        .map(|(_, s)| *s)
        .collect()
}

// ---------------------------------------------------------------- stories

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Story,
    Bulletin,
    Generic,
}

struct Story {
    cluster: String,
    kind: Kind,
    title: String,
    /// Sentences; the first two are the summary.
    sentences: Vec<String>,
    /// Minutes since the corpus's first day.
    minute: u64,
    traps: Vec<String>,
    prov: &'static str,
    /// How many other sources carry it.
    copies: usize,
    /// What it speaks of, for a republisher's own title.
    context: Option<Context>,
    domain: usize,
    /// The title's template, for a rewrite that keeps its numbers.
    template: &'static str,
}

struct Source {
    id: String,
    host: String,
    prov: &'static str,
    atom: bool,
    summary_only: bool,
    capacity: usize,
    items: Vec<Item>,
}

struct Item {
    guid: String,
    link: String,
    title: String,
    summary: String,
    content: Option<Vec<String>>,
    minute: u64,
    cluster: String,
    kind: &'static str,
    traps: Vec<String>,
}

fn fill(template: &str, c: &Context, rng: &mut Rng) -> String {
    let mut out = template.to_string();
    for (slot, value) in [
        ("{prov}", c.prov.to_string()),
        ("{district}", c.district.to_string()),
        ("{commune}", c.commune.to_string()),
        ("{person}", c.person.clone()),
        ("{crime}", c.crime.to_string()),
        ("{disease}", c.disease.to_string()),
        ("{hospital}", c.hospital.to_string()),
        ("{school}", c.school.to_string()),
        ("{project}", c.project.to_string()),
        ("{crop}", c.crop.to_string()),
        ("{service}", c.service.to_string()),
        ("{money}", c.money.to_string()),
        ("{age}", c.age.to_string()),
        ("{day}", c.day.to_string()),
        ("{month}", c.month.to_string()),
        ("{N}", c.n.to_string()),
    ] {
        out = out.replace(slot, &value);
    }
    // Each `{n}` its own count: a story cites several.
    while let Some(at) = out.find("{n}") {
        let n = if rng.chance(0.5) {
            c.n
        } else {
            rng.range(2, 60)
        };
        out.replace_range(at..at + 3, &n.to_string());
    }
    out
}

fn person(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(FAMILY),
        rng.pick(MIDDLE),
        rng.pick(GIVEN)
    )
}

fn context(rng: &mut Rng, prov: &'static str, minute: u64) -> Context {
    let (month, day) = month_day(minute);
    Context {
        prov,
        district: rng.pick(DISTRICTS),
        commune: rng.pick(COMMUNES),
        person: person(rng),
        crime: rng.pick(CRIMES),
        disease: rng.pick(DISEASES),
        hospital: rng.pick(HOSPITALS),
        school: rng.pick(SCHOOLS),
        project: rng.pick(PROJECTS),
        crop: rng.pick(CROPS),
        service: rng.pick(SERVICES),
        n: rng.range(2, 99),
        money: rng.range(12, 950),
        age: rng.range(60, 99),
        day,
        month,
    }
}

/// The corpus starts on 1 September 2026, 00:00 in Vietnam.
const START_UNIX: i64 = 1_788_195_600;

fn month_day(minute: u64) -> (u32, u32) {
    let days = minute / (24 * 60);
    // September has 30 days, October 31, November 30.
    let mut d = days as u32;
    for (month, len) in [(9, 30), (10, 31), (11, 30), (12, 31)] {
        if d < len {
            return (month, d + 1);
        }
        d -= len;
    }
    (12, 31)
}

struct Pooled {
    titles: Vec<Vec<&'static str>>,
    openers: Vec<Vec<&'static str>>,
    actions: Vec<Vec<&'static str>>,
    details: Vec<Vec<&'static str>>,
    common: Vec<&'static str>,
    leads: Vec<&'static str>,
    generic_summaries: Vec<&'static str>,
    generic_titles: Vec<&'static str>,
}

fn sentence(rng: &mut Rng, pooled: &Pooled, domain: usize, c: &Context) -> String {
    let template = format!(
        "{} {}{}.",
        rng.pick(&pooled.openers[domain]),
        rng.pick(&pooled.actions[domain]),
        rng.pick(&pooled.details[domain])
    );
    fill(&template, c, rng)
}

/// Generates the corpus into `dir`: `feeds.toml`, `feeds/*.rss|atom`,
/// `labels.json`.
pub fn generate(dir: &Path, params: &Params) -> std::io::Result<Generated> {
    let mut rng = Rng(params.seed ^ 0x6261_6e74_696e);
    let rates = Rates {
        days: rng.range(30, 60) as u64,
        copied: rng.between(0.25, 0.45),
        pool: rng.between(0.2, 0.5),
        lead: rng.between(0.04, 0.12),
        bulletin_series: rng.range(params.sources / 40 + 2, params.sources / 15 + 3),
        generic: rng.between(0.02, 0.06),
        contain: rng.between(0.02, 0.05),
        summary_sources: rng.between(0.15, 0.4),
        rewritten_title: rng.between(0.1, 0.25),
        link_variant: rng.between(0.05, 0.15),
    };
    let p = params.pools;
    let pooled = Pooled {
        titles: DOMAINS.iter().map(|d| half(d.titles, p)).collect(),
        openers: DOMAINS.iter().map(|d| half(d.openers, p)).collect(),
        actions: DOMAINS.iter().map(|d| half(d.actions, p)).collect(),
        details: DOMAINS.iter().map(|d| half(d.details, p)).collect(),
        common: half(COMMON, p),
        leads: half(LEADS, p),
        generic_summaries: half(GENERIC_SUMMARIES, p),
        generic_titles: half(GENERIC_TITLES, p),
    };
    let bulletins: Vec<(&str, &str)> = BULLETINS
        .iter()
        .enumerate()
        .filter(|(i, _)| p == Pools::All || (i % 2 == 0) == (p == Pools::Even))
        .map(|(_, b)| *b)
        .collect();

    let mut sources: Vec<Source> = (0..params.sources)
        .map(|n| {
            let prov = PROVINCES[n % PROVINCES.len()];
            let slug: String = bantin::text::fold_diacritics(prov)
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            Source {
                id: format!("s{n:04}"),
                host: format!(
                    "{}.{slug}.gov.vn.test",
                    ["www", "congan", "soyte", "baomoi", "tin"][n % 5]
                ),
                prov,
                atom: rng.chance(0.4),
                summary_only: rng.chance(rates.summary_sources),
                capacity: rng.range(30, 40),
                items: Vec::new(),
            }
        })
        .collect();
    let total: usize = sources.iter().map(|s| s.capacity).sum();
    let minutes = rates.days * 24 * 60;

    // Stories are written first, then placed on sources with room.
    let mut stories: Vec<Story> = Vec::new();
    let mut next_cluster = 0usize;
    let mut cluster = || {
        next_cluster += 1;
        format!("g{next_cluster:06}")
    };
    // Bulletin series: consecutive days, one agency's template.
    for series in 0..rates.bulletin_series {
        let (title, body) = bulletins[rng.below(bulletins.len())];
        let prov = PROVINCES[rng.below(PROVINCES.len())];
        let first = rng.below(rates.days.saturating_sub(8) as usize) as u64;
        let mut b = rng.range(200, 3000);
        for day in 0..rng.range(3, 7) as u64 {
            let minute = (first + day) * 24 * 60 + 17 * 60 + rng.range(0, 90) as u64;
            let (month, dd) = month_day(minute);
            let a = rng.range(3, 60);
            b += a;
            let (c, d, e) = (rng.range(1, 30), rng.range(1, 30), rng.range(1, 9));
            let text = |t: &str| {
                t.replace("{prov}", prov)
                    .replace("{a}", &a.to_string())
                    .replace("{b}", &b.to_string())
                    .replace("{c}", &c.to_string())
                    .replace("{d}", &d.to_string())
                    .replace("{e}", &e.to_string())
                    .replace("{day}", &dd.to_string())
                    .replace("{month}", &month.to_string())
            };
            stories.push(Story {
                cluster: cluster(),
                kind: Kind::Bulletin,
                title: text(title),
                sentences: split_sentences(&text(body)),
                minute,
                traps: vec![format!("bulletin:{series}")],
                prov,
                copies: usize::from(rng.chance(0.5)),
                context: None,
                domain: 0,
                template: title,
            });
        }
    }
    let mut lead_groups: Vec<(String, &'static str)> = Vec::new();
    let mut generic_groups: Vec<&'static str> = Vec::new();
    let mut contains = 0usize;
    let mut placed_estimate: usize = stories.iter().map(|s| 1 + s.copies).sum();
    while placed_estimate < total {
        let minute = rng.below(minutes as usize) as u64;
        let prov = PROVINCES[rng.below(PROVINCES.len())];
        let c = context(&mut rng, prov, minute);
        let mut traps = Vec::new();
        let mut domain = 0;
        let mut template = "";
        let (kind, title, sentences) = if rng.chance(rates.generic) {
            if generic_groups.is_empty() || rng.chance(0.2) {
                generic_groups.push(rng.pick(&pooled.generic_summaries));
            }
            let g = rng.below(generic_groups.len());
            traps.push(format!("generic:{g}"));
            let title = fill(rng.pick(&pooled.generic_titles), &c, &mut rng);
            (Kind::Generic, title, vec![generic_groups[g].to_string()])
        } else {
            domain = rng.below(DOMAINS.len());
            template = rng.pick(&pooled.titles[domain]);
            let title = fill(template, &c, &mut rng);
            let mut sentences: Vec<String> = (0..rng.range(4, 9))
                .map(|_| sentence(&mut rng, &pooled, domain, &c))
                .collect();
            if rng.chance(rates.lead) {
                if lead_groups.is_empty() || rng.chance(0.15) {
                    let num = rng.range(100, 999).to_string();
                    let lead = rng.pick(&pooled.leads);
                    lead_groups.push((lead.replace("{num}", &num).replace("{prov}", prov), lead));
                }
                let g = rng.below(lead_groups.len());
                traps.push(format!("lead:{g}"));
                let mut lead = split_sentences(&lead_groups[g].0);
                lead.append(&mut sentences);
                sentences = lead;
            }
            if rng.chance(rates.pool) {
                for _ in 0..rng.range(1, 3) {
                    let k = rng.below(pooled.common.len());
                    traps.push(format!("pool:{k}"));
                    let at = rng.range(1, sentences.len());
                    sentences.insert(at, pooled.common[k].to_string());
                }
            }
            (Kind::Story, title, sentences)
        };
        let copies = if rng.chance(rates.copied) {
            rng.range(1, 4)
        } else {
            0
        };
        placed_estimate += 1 + copies;
        stories.push(Story {
            cluster: cluster(),
            kind,
            title,
            sentences,
            minute,
            traps,
            prov,
            copies,
            context: Some(c),
            domain,
            template,
        });
        // An unrelated story whose long text quotes this one's summary:
        // a roundup, a follow-up on another subject.
        if kind == Kind::Story && rng.chance(rates.contain) {
            let a = stories.len() - 1;
            let tag = format!("contain:{contains}");
            contains += 1;
            stories[a].traps.push(tag.clone());
            let summary: Vec<String> = stories[a].sentences[..2].to_vec();
            let minute = stories[a].minute + rng.range(60, 40 * 60) as u64;
            let c = context(&mut rng, prov, minute);
            let domain = rng.below(DOMAINS.len());
            let template = rng.pick(&pooled.titles[domain]);
            let title = fill(template, &c, &mut rng);
            let mut sentences: Vec<String> = (0..rng.range(6, 10))
                .map(|_| sentence(&mut rng, &pooled, domain, &c))
                .collect();
            let at = if rng.chance(0.5) { 0 } else { rng.range(1, 4) };
            for (i, s) in summary.into_iter().enumerate() {
                sentences.insert(at + i, s);
            }
            let copies = if rng.chance(rates.copied) {
                rng.range(1, 4)
            } else {
                0
            };
            placed_estimate += 1 + copies;
            stories.push(Story {
                cluster: cluster(),
                kind: Kind::Story,
                title,
                sentences,
                minute: minute.min(minutes - 1),
                traps: vec![tag],
                prov,
                copies,
                context: Some(c),
                domain,
                template,
            });
        }
    }

    // Place: the original on one source, copies on others.
    let mut open: Vec<usize> = (0..sources.len()).collect();
    let mut copied_items = 0;
    let mut placed_stories = 0;
    for (n, story) in stories.iter().enumerate() {
        if open.is_empty() {
            break;
        }
        let copies = story.copies;
        let mut chosen: Vec<usize> = Vec::new();
        for _ in 0..(1 + copies) * 3 {
            if chosen.len() == 1 + copies || open.is_empty() {
                break;
            }
            let s = open[rng.below(open.len())];
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        placed_stories += 1;
        if chosen.len() > 1 {
            copied_items += chosen.len();
        }
        let origin = chosen[0];
        let full_text = !sources[origin].summary_only;
        let original_link = format!(
            "https://{}/tin-tuc/{}-{n}.html",
            sources[origin].host,
            slug(&story.title)
        );
        for (i, &s) in chosen.iter().enumerate() {
            let item = if i == 0 {
                original(story, &sources[s], &original_link, n)
            } else {
                copy(
                    story,
                    full_text,
                    &sources[s],
                    &original_link,
                    n,
                    i,
                    &rates,
                    &pooled,
                    &mut rng,
                )
            };
            sources[s].items.push(item);
            if sources[s].items.len() >= sources[s].capacity {
                open.retain(|&o| o != s);
            }
        }
    }

    write(dir, &sources, params, &rates)?;
    Ok(Generated {
        sources: sources.len(),
        items: sources.iter().map(|s| s.items.len()).sum(),
        stories: placed_stories,
        copied_items,
    })
}

fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(". ") {
        out.push(rest[..=at].to_string());
        rest = &rest[at + 2..];
    }
    if !rest.trim().is_empty() {
        out.push(rest.trim().to_string());
    }
    out
}

fn slug(title: &str) -> String {
    let folded = bantin::text::fold_diacritics(title).to_lowercase();
    let words: Vec<String> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(10)
        .map(str::to_string)
        .collect();
    words.join("-")
}

fn kind_name(story: &Story, copy: bool) -> &'static str {
    match (story.kind, copy) {
        (Kind::Bulletin, _) => "bulletin",
        (Kind::Generic, _) => "generic",
        (Kind::Story, false) => "original",
        (Kind::Story, true) => "copy",
    }
}

fn original(story: &Story, source: &Source, link: &str, n: usize) -> Item {
    let summary = story.sentences[..story.sentences.len().min(2)].join(" ");
    Item {
        guid: format!("{}-{n}", source.id),
        link: link.to_string(),
        title: story.title.clone(),
        summary,
        content: (!source.summary_only && story.sentences.len() > 2)
            .then(|| paragraphs(&story.sentences)),
        minute: story.minute,
        cluster: story.cluster.clone(),
        kind: kind_name(story, false),
        traps: story.traps.clone(),
    }
}

/// Two or three sentences to a paragraph.
fn paragraphs(sentences: &[String]) -> Vec<String> {
    sentences.chunks(3).map(|c| c.join(" ")).collect()
}

#[allow(clippy::too_many_arguments)]
fn copy(
    story: &Story,
    original_full: bool,
    source: &Source,
    original_link: &str,
    n: usize,
    i: usize,
    rates: &Rates,
    pooled: &Pooled,
    rng: &mut Rng,
) -> Item {
    let mut sentences = story.sentences.clone();
    let minute = story.minute + rng.range(60, 48 * 60) as u64;
    // A republisher that writes its own headline carries the whole text
    // of an article it had whole.
    let rewritten = story.kind == Kind::Story
        && original_full
        && !source.summary_only
        && sentences.len() >= 4
        && rng.chance(rates.rewritten_title);
    let title = match (&story.context, rewritten) {
        // A title of the republisher's own: another headline over the
        // same facts, or one that shares no words with the original's
        // (only the text tells they are one story). Its numbers are the
        // story's: a rewrite does not change the facts.
        (Some(c), true) if rng.chance(0.5) => {
            let template = headline(&pooled.titles[story.domain], story.template, rng);
            fill(template, c, rng)
        }
        (Some(c), true) => {
            let mut other = context(rng, story.prov, minute);
            (other.n, other.money, other.age) = (c.n, c.money, c.age);
            let domain = (story.domain + rng.range(1, DOMAINS.len() - 1)) % DOMAINS.len();
            let template = headline(&pooled.titles[domain], story.template, rng);
            fill(template, &other, rng)
        }
        _ => decorate(&story.title, source, rng),
    };
    if story.kind == Kind::Story && sentences.len() >= 6 && rng.chance(0.2) {
        let at = rng.range(2, sentences.len() - 1);
        sentences.remove(at);
    }
    if rng.chance(0.25) {
        // The dateline of the event: the original's day.
        let (month, day) = month_day(story.minute);
        let dateline = if rng.chance(0.5) {
            format!("{} - ", story.prov.to_uppercase())
        } else {
            format!("Ngày {day}/{month}, theo tin từ {}, ", story.prov)
        };
        sentences[0] = format!("{dateline}{}", sentences[0]);
    }
    if rng.chance(0.3) {
        let credit = rng.pick(CREDITS).replace("{prov}", story.prov);
        sentences.push(format!("Nguồn: {credit}"));
    }
    let link = if rng.chance(rates.link_variant) {
        link_variant(original_link, rng)
    } else {
        format!("https://{}/tin/{}-{n}-{i}.html", source.host, slug(&title))
    };
    let summary_only = source.summary_only || (!rewritten && rng.chance(0.1));
    Item {
        guid: format!("{}-{n}", source.id),
        link,
        title,
        summary: sentences[..sentences.len().min(2)].join(" "),
        content: (!summary_only && sentences.len() > 2).then(|| paragraphs(&sentences)),
        minute,
        cluster: story.cluster.clone(),
        kind: kind_name(story, true),
        traps: story.traps.clone(),
    }
}

/// A title template citing no number the original's does not: a new
/// headline does not invent figures.
fn headline(pool: &[&'static str], original: &'static str, rng: &mut Rng) -> &'static str {
    let numbers = |t: &str| ["{N}", "{money}", "{age}"].map(|slot| t.contains(slot));
    let mine = numbers(original);
    let fits: Vec<&'static str> = pool
        .iter()
        .copied()
        .filter(|t| {
            numbers(t)
                .iter()
                .zip(mine)
                .all(|(has, allowed)| !has || allowed)
        })
        .collect();
    if fits.is_empty() {
        original
    } else {
        rng.pick(&fits)
    }
}

fn decorate(title: &str, source: &Source, rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("{}: {title}", source.prov),
        1 => format!("{title} (video)"),
        2 => format!("[Ảnh] {title}"),
        3 => format!("{title} (Theo Báo {})", source.prov),
        4 => title.to_uppercase(),
        5 => {
            // "A, B" → "B, A": the clause order a rewriter changes.
            match title.split_once(", ") {
                Some((a, b)) => format!("{}, {}", upper_first(b), lower_first(a)),
                None => lower_first_word_case(title),
            }
        }
        _ => title.to_string(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Title Case: how some portals write every title.
fn lower_first_word_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn link_variant(link: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("{link}?utm_source=rss&utm_medium=feed"),
        1 => link
            .replacen("https://www.", "https://m.", 1)
            .replacen("https://", "http://", 1),
        2 => format!("{link}/"),
        _ => link.replacen("https://", "http://", 1),
    }
}

// ---------------------------------------------------------------- output

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn rfc2822(minute: u64) -> String {
    let t = START_UNIX + minute as i64 * 60 + 7 * 3600;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][m as usize - 1];
    format!(
        "{weekday}, {d:02} {month} {y} {:02}:{:02}:00 +0700",
        secs / 3600,
        secs / 60 % 60
    )
}

fn rfc3339(minute: u64) -> String {
    let t = START_UNIX + minute as i64 * 60 + 7 * 3600;
    let (y, m, d) = civil(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    format!(
        "{y}-{m:02}-{d:02}T{:02}:{:02}:00+07:00",
        secs / 3600,
        secs / 60 % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn feed(source: &Source) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if source.atom {
        let _ = writeln!(
            out,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{}</title>\n<id>tag:{},2026:feed</id>\n<updated>2026-11-30T00:00:00+07:00</updated>",
            escape(&format!("Tin tức {}", source.prov)),
            source.host
        );
        for item in &source.items {
            let _ = writeln!(
                out,
                "<entry>\n  <title>{}</title>\n  <id>tag:{},2026:{}</id>\n  <link rel=\"alternate\" href=\"{}\"/>\n  <published>{}</published>\n  <updated>{}</updated>\n  <summary type=\"text\">{}</summary>",
                escape(&item.title),
                source.host,
                item.guid,
                escape(&item.link),
                rfc3339(item.minute),
                rfc3339(item.minute),
                escape(&item.summary)
            );
            if let Some(content) = &item.content {
                let html: String = content
                    .iter()
                    .map(|p| format!("<p>{}</p>", escape(p)))
                    .collect();
                let _ = writeln!(out, "  <content type=\"html\">{}</content>", escape(&html));
            }
            out.push_str("</entry>\n");
        }
        out.push_str("</feed>\n");
    } else {
        let _ = writeln!(
            out,
            "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n<title>{}</title>\n<link>https://{}/</link>\n<description>{}</description>\n<language>vi-VN</language>",
            escape(&format!("Tin tức {}", source.prov)),
            source.host,
            escape(source.prov)
        );
        for item in &source.items {
            let _ = writeln!(
                out,
                "<item>\n  <title>{}</title>\n  <link>{}</link>\n  <guid isPermaLink=\"false\">{}</guid>\n  <pubDate>{}</pubDate>\n  <description>{}</description>",
                escape(&item.title),
                escape(&item.link),
                item.guid,
                rfc2822(item.minute),
                escape(&item.summary)
            );
            if let Some(content) = &item.content {
                let html: String = content
                    .iter()
                    .map(|p| format!("<p>{}</p>", escape(p)))
                    .collect();
                let _ = writeln!(
                    out,
                    "  <content:encoded><![CDATA[{html}]]></content:encoded>"
                );
            }
            out.push_str("</item>\n");
        }
        out.push_str("</channel>\n</rss>\n");
    }
    out
}

fn write(dir: &Path, sources: &[Source], params: &Params, rates: &Rates) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("feeds"))?;
    let mut toml = format!(
        "# Generated by the merge corpus generator: seed {}, pools {:?}.\n\
         [store]\npath = \"store\"\nkeep_days = 36500\n\n\
         [[topic]]\nslug = \"y-te\"\ntitle = \"Y tế\"\nkeywords = [\"y tế\", \"bệnh viện\", \"dịch bệnh\"]\n\n\
         [[topic]]\nslug = \"an-ninh\"\ntitle = \"An ninh\"\nkeywords = [\"công an\", \"tội phạm\", \"ma túy\"]\n\n",
        params.seed, params.pools
    );
    let mut labels = Vec::new();
    for source in sources {
        let file = format!(
            "feeds/{}.{}",
            source.id,
            if source.atom { "atom" } else { "rss" }
        );
        std::fs::write(dir.join(&file), feed(source))?;
        let _ = writeln!(
            toml,
            "[[source]]\nid = \"{}\"\nurl = \"file:{file}\"\n",
            source.id
        );
        for item in &source.items {
            let guid = if source.atom {
                format!("tag:{},2026:{}", source.host, item.guid)
            } else {
                item.guid.clone()
            };
            labels.push(serde_json::json!({
                "id": format!("{}/{}", source.id, item.guid),
                "source": source.id,
                "file": file,
                "guid": guid,
                "link": item.link,
                "title": item.title,
                "published": rfc3339(item.minute),
                "cluster": item.cluster,
                "kind": item.kind,
                "traps": item.traps,
            }));
        }
    }
    std::fs::write(dir.join("feeds.toml"), toml)?;
    let labels = serde_json::json!({
        "generator": {
            "seed": params.seed,
            "pools": format!("{:?}", params.pools),
            "days": rates.days,
            "copied": rates.copied,
            "pool_sentences": rates.pool,
            "standard_lead": rates.lead,
            "bulletin_series": rates.bulletin_series,
            "generic_summary": rates.generic,
            "contained_summary": rates.contain,
            "summary_sources": rates.summary_sources,
            "rewritten_title": rates.rewritten_title,
            "link_variant": rates.link_variant,
        },
        "items": labels,
    });
    std::fs::write(
        dir.join("labels.json"),
        serde_json::to_string_pretty(&labels).map_err(std::io::Error::other)?,
    )
}
