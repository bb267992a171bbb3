"""Demo data: an EU–China online summit and project roadshow, ~30 organisations, one account per role.

`flask demo-data` loads it; it is idempotent. Rows are found by their natural keys (sector slug,
account e-mail, organisation's normalised name and country, event slug) and only missing ones are
added; an event that already exists is left exactly as it is, with its programme. Dates are chosen
relative to the day of loading (two to three weeks ahead, away from the year-end holidays), so the
demo always shows upcoming events; every session falls in the hours Brussels and Shanghai share.
Pitch slots are given the way organisers give them, through roadshow.programme.services (assign,
publish, and a company's confirmation), so the audit log, release and outbox match what the site does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from roadshow import timezones
from roadshow.auth.services import create_user, find_user_by_email
from roadshow.countries import normalise_organisation_name, region_for_country, website_domain
from roadshow.enums import (
    ApplicationStatus,
    EventKind,
    EventStatus,
    MembershipRole,
    ProjectStage,
    RegistrationRole,
    Seeking,
    SessionKind,
    SlotState,
)
from roadshow.extensions import db
from roadshow.models import (
    AvailabilityWindow,
    Event,
    EventOrganiser,
    Membership,
    Organisation,
    PitchApplication,
    PitchSlot,
    ProgrammeSession,
    Registration,
    Sector,
    User,
    utcnow,
)
from roadshow.organisations.services import DEFAULT_SECTORS
from roadshow.programme import services as programme

# One password for every demo account, documented in README.md; it passes password_problems().
DEMO_PASSWORD = "Roadshow-demo-2026"  # noqa: S105 - a published demo password, never a real one
SUMMIT_SLUG = "eu-china-science-parks-summit"
ROADSHOW_SLUG = "eu-china-projects-roadshow"
SUMMIT_TIMEZONE = "Europe/Brussels"
ROADSHOW_TIMEZONE = "Asia/Shanghai"


# --- What the demo holds -------------------------------------------------------------------------


# The sectors of DESIGN.md, as organisation forms offer them.
SECTORS = DEFAULT_SECTORS


@dataclass(frozen=True)
class DemoOrganisation:
    """An organisation of the demo; *key* names it within this module only."""

    key: str
    name: str
    country: str
    city: str
    sectors: tuple[str, ...]
    description: str
    name_zh: str | None = None
    description_zh: str | None = None


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    # The organisers' own institutions.
    DemoOrganisation(
        "qingdao-centre", "Qingdao Hi-tech Zone EU Project Innovation Centre", "CN", "Qingdao",
        ("modern-services",),
        "International-cooperation team of the Qingdao high-tech zone: cooperation bases, soft landing "
        "for European companies, online summits and roadshows.",
        "青岛高新区欧盟项目创新中心",
        "青岛高新区国际合作团队：国际合作基地、欧洲企业软着陆、线上峰会与路演。",
    ),
    DemoOrganisation(
        "europarks", "EuroParks Innovation Network", "BE", "Brussels", ("modern-services",),
        "A European network of business innovation centres and science parks.",
        "欧洲园区创新网络", "由欧洲企业创新中心和科技园区组成的网络。",
    ),
    # European companies.
    DemoOrganisation(
        "nordlicht", "Nordlicht Medical GmbH", "DE", "Munich", ("medical-devices",),
        "Wearable exoskeletons for gait rehabilitation after stroke and spinal injury.",
        "北光医疗有限公司", "用于中风和脊髓损伤后步态康复的可穿戴外骨骼。",
    ),
    DemoOrganisation(
        "biovale", "BioVale Therapeutics B.V.", "NL", "Leiden", ("biomedicine",),
        "Thermostable vaccine and biologics formulations that need no cold chain.",
        "生谷治疗有限公司", "无需冷链的耐热疫苗和生物制剂配方。",
    ),
    DemoOrganisation(
        "optiq", "Optiq Précision S.A.", "FR", "Grenoble", ("precision-instruments",),
        "Interferometric surface metrology for semiconductor and optics production.",
    ),
    DemoOrganisation(
        "levante", "Robótica Levante S.L.", "ES", "Valencia", ("robotics", "intelligent-manufacturing"),
        "Robot cells for food packaging and ceramics finishing.",
    ),
    DemoOrganisation(
        "datanord", "Datanord Analytics Oy", "FI", "Espoo", ("big-data", "biomedicine"),
        "Privacy-preserving analytics and federated learning on health data.",
        "数北分析有限公司", "健康数据的隐私保护分析与联邦学习。",
    ),
    DemoOrganisation(
        "fabbrica", "Fabbrica Intelligente S.r.l.", "IT", "Turin", ("intelligent-manufacturing",),
        "Digital twins and scheduling software for discrete manufacturing.",
    ),
    DemoOrganisation(
        "ledgerline", "Ledgerline Fintech Ltd", "IE", "Dublin", ("fintech",),
        "Verifiable credentials for trade finance and supplier onboarding.",
        "账线金融科技有限公司", "用于贸易融资和供应商准入的可验证凭证。",
    ),
    DemoOrganisation(
        "vltava", "Vltava Rehab Technologies s.r.o.", "CZ", "Brno", ("medical-devices",),
        "Tele-rehabilitation software and sensors for stroke patients at home.",
        "伏尔塔瓦康复科技有限公司", "面向居家中风患者的远程康复软件和传感器。",
    ),
    DemoOrganisation(
        "baltic-biosensors", "Baltic BioSensors UAB", "LT", "Vilnius",
        ("biomedicine", "precision-instruments"),
        "Electrochemical biosensors for point-of-care diagnostics.",
    ),
    DemoOrganisation(
        "oresund", "Øresund Robotics ApS", "DK", "Odense", ("robotics",),
        "Autonomous mobile robots for hospital and laboratory logistics.",
        "厄勒机器人有限公司", "用于医院和实验室物流的自主移动机器人。",
    ),
    DemoOrganisation(
        "danube-data", "Danube Data Systems Kft.", "HU", "Budapest", ("big-data",),
        "Data platforms for logistics and energy operators.",
    ),
    DemoOrganisation(
        "lusitania", "Lusitania MedTech Lda.", "PT", "Porto", ("medical-devices",),
        "Smart orthoses and pressure-sensing insoles.",
    ),
    DemoOrganisation(
        "alpine-sensorik", "Alpine Sensorik GmbH", "AT", "Graz", ("precision-instruments",),
        "MEMS vibration sensors for predictive maintenance.",
        "阿尔卑斯传感技术有限公司", "用于预测性维护的MEMS振动传感器。",
    ),
    DemoOrganisation(
        "vistula", "Vistula Smart Factory Sp. z o.o.", "PL", "Wrocław", ("intelligent-manufacturing",),
        "Retrofitting kits that connect older machine tools to manufacturing execution systems.",
    ),
    DemoOrganisation(
        "aegean-expo", "Aegean Expo & Convention Services S.A.", "GR", "Thessaloniki",
        ("modern-services",),
        "Hybrid trade fairs and conventions for technology sectors.",
    ),
    DemoOrganisation(
        "goteborg-fintech", "Göteborg Fintech Lab AB", "SE", "Gothenburg", ("fintech",),
        "An incubator and test bed for payment and insurance start-ups.",
    ),
    # Outside the EU and China.
    DemoOrganisation(
        "helvetic", "Helvetic MedRobotics AG", "CH", "Basel", ("robotics", "medical-devices"),
        "Surgical robotics components and training simulators.",
    ),
    # Chinese companies.
    DemoOrganisation(
        "haibo", "Qingdao Haibo Biotech Co., Ltd.", "CN", "Qingdao", ("biomedicine",),
        "Marine-derived biomaterials for wound care.",
        "青岛海博生物科技有限公司", "用于伤口护理的海洋来源生物材料。",
    ),
    DemoOrganisation(
        "lanxin", "Qingdao Lanxin Rehabilitation Equipment Co., Ltd.", "CN", "Qingdao",
        ("medical-devices",),
        "Smart rehabilitation beds and training devices for hospitals and care homes.",
        "青岛蓝心康复设备有限公司", "面向医院和养老机构的智能康复床及训练设备。",
    ),
    DemoOrganisation(
        "qingdao-expo", "Qingdao International Convention & Exhibition Services Co., Ltd.", "CN",
        "Qingdao", ("modern-services",),
        "Organises trade fairs and matchmaking events in the Qingdao high-tech zone.",
        "青岛国际会展服务有限公司", "在青岛高新区组织展会和对接活动。",
    ),
    DemoOrganisation(
        "zhiyuan", "Shenzhen Zhiyuan Robotics Co., Ltd.", "CN", "Shenzhen", ("robotics",),
        "Compact joint modules and controllers for collaborative robots.",
        "深圳智远机器人有限公司", "协作机器人紧凑型关节模组与控制器。",
    ),
    DemoOrganisation(
        "huajin", "Shenzhen Huajin Fintech Co., Ltd.", "CN", "Shenzhen", ("fintech",),
        "Cross-border payment and supply-chain finance services.",
        "深圳华金金融科技有限公司", "跨境支付与供应链金融服务。",
    ),
    DemoOrganisation(
        "jingce", "Shanghai Jingce Instruments Co., Ltd.", "CN", "Shanghai", ("precision-instruments",),
        "Coordinate-measuring machines and optical inspection systems.",
        "上海精测仪器有限公司", "三坐标测量机与光学检测系统。",
    ),
    DemoOrganisation(
        "yunshu", "Shanghai Yunshu Big Data Technology Co., Ltd.", "CN", "Shanghai", ("big-data",),
        "Data governance and analytics platforms for manufacturers.",
        "上海云数大数据科技有限公司", "面向制造企业的数据治理与分析平台。",
    ),
    DemoOrganisation(
        "xinzhi", "Suzhou Xinzhi Intelligent Manufacturing Co., Ltd.", "CN", "Suzhou",
        ("intelligent-manufacturing", "robotics"),
        "Flexible assembly lines for electronics and medical devices.",
        "苏州新智智能制造有限公司", "面向电子产品和医疗器械的柔性装配线。",
    ),
    DemoOrganisation(
        "kechuang", "Suzhou Kechuang Incubation Services Co., Ltd.", "CN", "Suzhou", ("modern-services",),
        "Incubator and soft-landing service for foreign technology companies.",
        "苏州科创孵化服务有限公司", "为外国科技企业提供孵化和软着陆服务。",
    ),
    DemoOrganisation(
        "shuzhi", "Hangzhou Shuzhi Cloud Technology Co., Ltd.", "CN", "Hangzhou", ("big-data",),
        "Data-space connectors and compliance tooling for cross-border data.",
        "杭州数智云科技有限公司", "用于跨境数据的数据空间连接器和合规工具。",
    ),
    DemoOrganisation(
        "kangning", "Hangzhou Kangning Medical Devices Co., Ltd.", "CN", "Hangzhou", ("medical-devices",),
        "Home-care monitoring devices for elderly people.",
        "杭州康宁医疗器械有限公司", "面向老年人的居家护理监测设备。",
    ),
    DemoOrganisation(
        "guangce", "Beijing Guangce Precision Optics Co., Ltd.", "CN", "Beijing", ("precision-instruments",),
        "Precision optical components and laser measurement.",
        "北京光测精密光学有限公司", "精密光学元件与激光测量。",
    ),
    DemoOrganisation(
        "ruixin", "Beijing Ruixin Pharmaceutical R&D Co., Ltd.", "CN", "Beijing", ("biomedicine",),
        "Contract research for biologics and clinical trials in China.",
        "北京瑞信医药研发有限公司", "生物制剂合同研究与中国临床试验服务。",
    ),
    DemoOrganisation(
        "guanggu", "Wuhan Guanggu Smart Manufacturing Co., Ltd.", "CN", "Wuhan",
        ("intelligent-manufacturing", "precision-instruments"),
        "Laser processing equipment and smart production lines.",
        "武汉光谷智造有限公司", "激光加工设备与智能产线。",
    ),
    DemoOrganisation(
        "changjiang-vc", "Wuhan Changjiang Venture Capital Co., Ltd.", "CN", "Wuhan", ("fintech",),
        "Early-stage investor in medical technology and intelligent manufacturing.",
        "武汉长江创业投资有限公司", "投资医疗科技和智能制造领域的早期项目。",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: its role (as shown to people), e-mail, name and, for members, organisation key."""

    role: str
    email: str
    name: str
    locale: str
    timezone: str
    is_admin: bool = False
    organisation: str | None = None
    listed: bool = True  # printed by `flask demo-data` and documented in README.md


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("site administrator", "admin@example.org", "Alex Martens", "en", "Europe/Brussels", True),
    DemoAccount(
        "organiser (Qingdao)", "organiser@example.org", "Wang Lei", "zh", "Asia/Shanghai",
        organisation="qingdao-centre",
    ),
    DemoAccount(
        "organiser (European partner)", "partner@example.org", "Sophie Janssens", "en", "Europe/Brussels",
        organisation="europarks",
    ),
    DemoAccount(
        "company representative (EU)", "eu.company@example.org", "Jonas Weber", "en", "Europe/Berlin",
        organisation="nordlicht",
    ),
    DemoAccount(
        "company representative (CN)", "cn.company@example.org", "Li Na", "zh", "Asia/Shanghai",
        organisation="lanxin",
    ),
    DemoAccount("attendee", "attendee@example.org", "Elena Rossi", "en", "Europe/Rome"),
    # Representatives of the other applying companies (same password, not listed).
    DemoAccount("company representative", "biovale@example.org", "Eva de Vries", "en", "Europe/Amsterdam",
                organisation="biovale", listed=False),
    DemoAccount("company representative", "vltava@example.org", "Tomáš Novák", "en", "Europe/Prague",
                organisation="vltava", listed=False),
    DemoAccount("company representative", "oresund@example.org", "Mette Larsen", "en", "Europe/Copenhagen",
                organisation="oresund", listed=False),
    DemoAccount("company representative", "alpine@example.org", "Lukas Gruber", "en", "Europe/Vienna",
                organisation="alpine-sensorik", listed=False),
    DemoAccount("company representative", "datanord@example.org", "Aino Virtanen", "en", "Europe/Helsinki",
                organisation="datanord", listed=False),
    DemoAccount("company representative", "ledgerline@example.org", "Siobhán Byrne", "en", "Europe/Dublin",
                organisation="ledgerline", listed=False),
    DemoAccount("company representative", "zhiyuan@example.org", "Zhang Wei", "zh", "Asia/Shanghai",
                organisation="zhiyuan", listed=False),
    DemoAccount("company representative", "shuzhi@example.org", "Chen Jing", "zh", "Asia/Shanghai",
                organisation="shuzhi", listed=False),
)  # fmt: skip

ORGANISER_EMAILS = ("organiser@example.org", "partner@example.org")
ATTENDEE_EMAIL = "attendee@example.org"


@dataclass(frozen=True)
class DemoSession:
    """A programme session in the event's own zone: day 0 is the first day of the event."""

    day: int
    starts: str  # "HH:MM", local
    ends: str
    kind: SessionKind
    title: str
    title_zh: str
    description: str = ""
    track: str = "Main stage"
    capacity: int | None = None
    description_zh: str | None = None


SUMMIT_SESSIONS: tuple[DemoSession, ...] = (
    DemoSession(0, "08:30", "08:50", SessionKind.KEYNOTE, "Opening and welcome", "开幕式及欢迎致辞",
                "The Qingdao Hi-tech Zone and EuroParks open the summit.",
                description_zh="青岛高新区与欧洲园区创新网络共同开幕。"),
    DemoSession(0, "08:50", "09:30", SessionKind.KEYNOTE,
                "Keynote: science parks as bridges between Europe and China",
                "主旨演讲：科技园区——连接欧洲与中国的桥梁",
                "How international cooperation bases help companies enter each other's markets.",
                description_zh="国际合作基地如何帮助企业进入彼此的市场。"),
    DemoSession(0, "09:30", "10:30", SessionKind.PANEL,
                "Panel: cross-border incubation and soft-landing programmes",
                "圆桌论坛：跨境孵化与软着陆计划",
                "Park managers from Qingdao, Suzhou, Leuven and Grenoble compare what works.",
                description_zh="来自青岛、苏州、鲁汶和格勒诺布尔的园区负责人交流成功经验。"),
    DemoSession(0, "10:30", "10:45", SessionKind.BREAK, "Coffee break", "茶歇"),
    DemoSession(0, "10:45", "11:45", SessionKind.NETWORKING, "Networking: meet the parks",
                "交流洽谈：与园区面对面", "Small video rooms, one per park.", "Networking lounge", 80,
                description_zh="每个园区一个小型视频会议室。"),
    DemoSession(1, "08:30", "09:10", SessionKind.KEYNOTE,
                "Keynote: biomedicine and medical devices from lab to market",
                "主旨演讲：生物医药与医疗器械——从实验室到市场"),
    DemoSession(1, "09:10", "10:10", SessionKind.PANEL,
                "Panel: big data, robotics and intelligent manufacturing in parks",
                "圆桌论坛：园区中的大数据、机器人与智能制造"),
    DemoSession(1, "10:10", "10:25", SessionKind.BREAK, "Coffee break", "茶歇"),
    DemoSession(1, "10:25", "11:25", SessionKind.PANEL,
                "Panel: financing cooperation — fintech, investors and public funds",
                "圆桌论坛：合作融资——金融科技、投资者与公共基金"),
    DemoSession(1, "11:25", "11:45", SessionKind.KEYNOTE, "Closing remarks and the roadshow ahead",
                "闭幕致辞及路演展望"),
)  # fmt: skip

PITCH_SLOT_MINUTES = 10
PITCH_CHANGEOVER_MINUTES = 5
PITCH_BLOCK_DESCRIPTION_ZH = "每个项目路演十分钟，随后答疑五分钟。"

ROADSHOW_SESSIONS: tuple[DemoSession, ...] = (
    DemoSession(0, "15:00", "15:20", SessionKind.KEYNOTE, "Welcome and how the roadshow works",
                "欢迎致辞及路演流程介绍"),
    DemoSession(0, "15:20", "16:50", SessionKind.PITCH_BLOCK, "Pitches: biomedicine and medical devices",
                "项目路演：生物医药与医疗器械",
                "Ten-minute pitches, each followed by five minutes of questions.", "Pitch stage",
                description_zh=PITCH_BLOCK_DESCRIPTION_ZH),
    DemoSession(0, "16:50", "17:00", SessionKind.BREAK, "Short break", "短暂休息"),
    DemoSession(0, "17:00", "18:00", SessionKind.NETWORKING, "One-to-one matchmaking meetings",
                "一对一对接洽谈", "Book a video meeting with a presenting company.", "Meeting rooms", 40,
                description_zh="预约与路演企业的视频会谈。"),
    DemoSession(1, "15:00", "16:30", SessionKind.PITCH_BLOCK,
                "Pitches: robotics, precision instruments and intelligent manufacturing",
                "项目路演：机器人、精密仪器与智能制造",
                "Ten-minute pitches, each followed by five minutes of questions.", "Pitch stage",
                description_zh=PITCH_BLOCK_DESCRIPTION_ZH),
    DemoSession(1, "16:30", "16:40", SessionKind.BREAK, "Short break", "短暂休息"),
    DemoSession(1, "16:40", "17:40", SessionKind.PITCH_BLOCK,
                "Pitches: big data, fintech and modern services",
                "项目路演：大数据、金融科技与现代服务业",
                "Ten-minute pitches, each followed by five minutes of questions.", "Pitch stage",
                description_zh=PITCH_BLOCK_DESCRIPTION_ZH),
    DemoSession(1, "17:40", "18:00", SessionKind.KEYNOTE, "Closing: next steps with the Qingdao Hi-tech Zone",
                "闭幕：与青岛高新区的后续合作"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoApplication:
    """A pitch application to the roadshow; availability in the company's own zone (day 0 = first day)."""

    organisation: str
    submitted_by: str
    title: str
    title_zh: str
    summary: str
    sector: str
    stage: ProjectStage
    seeking: tuple[Seeking, ...]
    timezone: str
    availability: tuple[tuple[int, str, str], ...]
    status: ApplicationStatus = ApplicationStatus.SUBMITTED
    amount_eur: int | None = None
    # (n-th pitch block, n-th slot in it, slot state) for an accepted application with a slot.
    slot: tuple[int, int, SlotState] | None = None
    decision_note: str | None = None
    summary_zh: str | None = field(default=None)


APPLICATIONS: tuple[DemoApplication, ...] = (
    DemoApplication(
        "nordlicht", "eu.company@example.org",
        "NeuroStep: a lightweight exoskeleton for gait rehabilitation",
        "NeuroStep：用于步态康复的轻量化外骨骼",
        "A 4 kg powered exoskeleton that lets therapists train walking with patients from the first week "
        "after a stroke. CE-marked; 40 clinics in Germany and Austria use it.",
        "medical-devices", ProjectStage.FIRST_CUSTOMERS, (Seeking.JOINT_VENTURE, Seeking.DISTRIBUTION),
        "Europe/Berlin", ((0, "08:00", "10:30"), (1, "08:00", "09:00")),
        ApplicationStatus.ACCEPTED, 2_000_000, (0, 0, SlotState.CONFIRMED),
        summary_zh="一款4公斤的动力外骨骼，让治疗师在中风后第一周即可与患者进行步行训练。已获CE认证，"
        "德国和奥地利已有40家诊所使用。",
    ),
    DemoApplication(
        "biovale", "biovale@example.org",
        "Vaccines that need no cold chain", "无需冷链的耐热疫苗制剂",
        "A sugar-glass formulation keeps vaccines and antibodies stable for six months at 40 °C.",
        "biomedicine", ProjectStage.PROTOTYPE, (Seeking.INVESTMENT, Seeking.RD_PARTNER),
        "Europe/Amsterdam", ((0, "08:00", "11:00"),),
        ApplicationStatus.ACCEPTED, 5_000_000, (0, 1, SlotState.PUBLISHED),
    ),
    DemoApplication(
        "lanxin", "cn.company@example.org",
        "Smart rehabilitation beds for European care homes", "面向欧洲养老机构的智能康复床",
        "Beds that turn patients, track pressure points and guide bedside exercises; looking for "
        "distributors and a partner for EU certification.",
        "medical-devices", ProjectStage.SCALING, (Seeking.JOINT_VENTURE, Seeking.DISTRIBUTION),
        "Asia/Shanghai", ((0, "15:00", "18:00"), (1, "15:00", "17:00")),
        ApplicationStatus.ACCEPTED, None, (0, 2, SlotState.PROPOSED),
        summary_zh="可自动翻身、监测压力点并指导床旁训练的护理床；寻求欧洲经销商及欧盟认证合作伙伴。",
    ),
    DemoApplication(
        "vltava", "vltava@example.org",
        "Tele-rehabilitation for stroke patients at home", "面向居家中风患者的远程康复平台",
        "Sensors and a tablet app that let therapists supervise exercises remotely.",
        "medical-devices", ProjectStage.FIRST_CUSTOMERS, (Seeking.INVESTMENT, Seeking.DISTRIBUTION),
        "Europe/Prague", ((0, "09:00", "11:00"),), amount_eur=800_000,
    ),
    DemoApplication(
        "oresund", "oresund@example.org",
        "Autonomous mobile robots for hospital logistics", "医院物流自主移动机器人",
        "Robots that carry samples, linen and medicines between wards and use the lifts on their own.",
        "robotics", ProjectStage.SCALING, (Seeking.JOINT_VENTURE, Seeking.DISTRIBUTION),
        "Europe/Copenhagen", ((1, "08:00", "09:30"),),
        ApplicationStatus.ACCEPTED, None, (1, 0, SlotState.PUBLISHED),
    ),
    DemoApplication(
        "alpine-sensorik", "alpine@example.org",
        "MEMS vibration sensors for predictive maintenance", "用于预测性维护的MEMS振动传感器",
        "Battery-powered sensors that warn of bearing wear weeks before a machine fails.",
        "precision-instruments", ProjectStage.FIRST_CUSTOMERS,
        (Seeking.TECHNOLOGY_TRANSFER, Seeking.DISTRIBUTION),
        "Europe/Vienna", ((1, "08:00", "11:00"),),
    ),
    DemoApplication(
        "zhiyuan", "zhiyuan@example.org",
        "Compact joint modules for collaborative robots", "协作机器人紧凑型关节模组",
        "Integrated motor, gearbox, encoder and brake in one module, for robot makers in Europe.",
        "robotics", ProjectStage.SCALING, (Seeking.DISTRIBUTION, Seeking.RD_PARTNER),
        "Asia/Shanghai", ((1, "15:00", "17:00"),), ApplicationStatus.WAITLISTED,
        decision_note="Waitlisted: the robotics block is full; we will offer a slot if one is freed.",
    ),
    DemoApplication(
        "datanord", "datanord@example.org",
        "Federated learning on hospital data across borders", "跨境医院数据联邦学习",
        "Train diagnostic models on data that never leaves each hospital, in line with GDPR and PIPL.",
        "big-data", ProjectStage.PROTOTYPE, (Seeking.INVESTMENT, Seeking.RD_PARTNER),
        "Europe/Helsinki", ((1, "09:30", "12:00"),),
        ApplicationStatus.ACCEPTED, 1_500_000, (2, 0, SlotState.PROPOSED),
    ),
    DemoApplication(
        "ledgerline", "ledgerline@example.org",
        "Trade-finance checks with verifiable credentials", "基于可验证凭证的贸易融资核验",
        "Banks check a supplier's licences and shipments in seconds instead of days.",
        "fintech", ProjectStage.FIRST_CUSTOMERS, (Seeking.INVESTMENT, Seeking.JOINT_VENTURE),
        "Europe/Dublin", ((1, "07:30", "10:00"),), amount_eur=1_200_000,
    ),
    DemoApplication(
        "shuzhi", "shuzhi@example.org",
        "Data-space connectors for cross-border compliance", "跨境数据合规的数据空间连接器",
        "Connectors that label, filter and log data leaving a factory, for audits on both sides.",
        "big-data", ProjectStage.SCALING, (Seeking.JOINT_VENTURE, Seeking.DISTRIBUTION),
        "Asia/Shanghai", ((1, "15:00", "18:00"),), ApplicationStatus.REJECTED,
        decision_note="Thank you; this roadshow looks for projects in earlier stages.",
    ),
)  # fmt: skip


# --- Dates ---------------------------------------------------------------------------------------


def demo_event_dates(today: date) -> tuple[date, date]:
    """The summit's and the roadshow's first days: Tuesdays 10+ and 17+ days ahead, not at year end."""
    start = today + timedelta(days=10)
    start += timedelta(days=(1 - start.weekday()) % 7)  # the next Tuesday
    while any(_in_year_end_holidays(start + timedelta(days=offset)) for offset in range(9)):
        start += timedelta(days=7)
    return start, start + timedelta(days=7)


def _in_year_end_holidays(day: date) -> bool:
    return (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 5)


# --- Loading -------------------------------------------------------------------------------------


def load_demo_data(today: date | None = None) -> bool:
    """Add whatever of the demo is missing and commit; True when anything was added."""
    added = add_demo_data(today)
    db.session.commit()
    return added


def add_demo_data(today: date | None = None) -> bool:
    """Add the missing demo rows (flushed, not committed); True when anything was added."""
    loader = _DemoLoader(today or utcnow().date())
    return loader.run()


class _DemoLoader:
    """Creates the demo rows that do not exist yet, remembering whether it added any."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.added = False
        self.sectors: dict[str, Sector] = {}
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}

    def run(self) -> bool:
        self._sectors()
        self._organisations()
        self._accounts()
        summit_day, roadshow_day = demo_event_dates(self.today)
        summit = self._summit(summit_day)
        roadshow = self._roadshow(roadshow_day)
        if summit is not None:
            self._register(summit, RegistrationRole.ATTENDEE, {SessionKind.KEYNOTE, SessionKind.PANEL})
        if roadshow is not None:
            self._applications(roadshow, roadshow_day)
            self._register(roadshow, RegistrationRole.INVESTOR, {SessionKind.PITCH_BLOCK})
        db.session.flush()
        return self.added

    def _add(self, row: object) -> None:
        db.session.add(row)
        self.added = True

    def _sectors(self) -> None:
        existing = {sector.slug: sector for sector in db.session.scalars(sa.select(Sector))}
        for spec in SECTORS:
            sector = existing.get(spec.slug)
            if sector is None:
                sector = Sector(slug=spec.slug, name=spec.name, name_zh=spec.name_zh)
                self._add(sector)
            self.sectors[spec.slug] = sector

    def _organisations(self) -> None:
        for spec in ORGANISATIONS:
            normalised = normalise_organisation_name(spec.name)
            organisation = db.session.scalar(
                sa.select(Organisation)
                .where(Organisation.normalised_name == normalised, Organisation.country == spec.country)
                .order_by(Organisation.id)
                .limit(1)
            )
            if organisation is None:
                website = f"https://{spec.key}.example.com/"
                organisation = Organisation(
                    name=spec.name,
                    name_zh=spec.name_zh,
                    normalised_name=normalised,
                    country=spec.country,
                    region=region_for_country(spec.country),
                    city=spec.city,
                    website=website,
                    website_domain=website_domain(website),
                    description=spec.description,
                    description_zh=spec.description_zh,
                    sectors=[self.sectors[slug] for slug in spec.sectors],
                )
                self._add(organisation)
            self.organisations[spec.key] = organisation
        db.session.flush()

    def _accounts(self) -> None:
        for spec in DEMO_ACCOUNTS:
            user = find_user_by_email(spec.email)
            if user is None:
                user = create_user(
                    email=spec.email,
                    name=spec.name,
                    password=DEMO_PASSWORD,
                    locale=spec.locale,
                    timezone=spec.timezone,
                )
                user.is_admin = spec.is_admin
                self.added = True
            self.users[spec.email] = user
            if spec.organisation is not None:
                self._membership(self.organisations[spec.organisation], user)

    def _membership(self, organisation: Organisation, user: User) -> None:
        exists = db.session.scalar(
            sa.select(Membership.id).where(
                Membership.organisation_id == organisation.id, Membership.user_id == user.id
            )
        )
        if exists is None:
            self._add(Membership(organisation=organisation, user=user, role=MembershipRole.OWNER))

    def _event(self, slug: str, **columns: object) -> Event | None:
        """Create the event with *slug* and its organisers; None when it exists (it is then left alone)."""
        if db.session.scalar(sa.select(Event.id).where(Event.slug == slug)) is not None:
            return None
        event = Event(slug=slug, status=EventStatus.PUBLISHED, **columns)
        self._add(event)
        for email in ORGANISER_EMAILS:
            event.organisers.append(EventOrganiser(user=self.users[email]))
        return event

    def _summit(self, first_day: date) -> Event | None:
        event = self._event(
            SUMMIT_SLUG,
            kind=EventKind.SUMMIT,
            title=f"EU–China Science Parks Online Summit {first_day.year}",
            title_zh=f"{first_day.year}中欧科技园区线上峰会",
            description=(
                "Two mornings in Europe, two afternoons in China: science and technology parks from EU "
                "member states and Chinese high-tech zones share how they help companies cross borders, "
                "in keynotes, panels and networking rooms."
            ),
            description_zh=(
                "欧洲的两个上午，中国的两个下午：来自欧盟成员国的科技园区与中国高新区通过主旨演讲、"
                "圆桌论坛和交流洽谈，分享帮助企业跨境发展的经验。"
            ),
            timezone=SUMMIT_TIMEZONE,
            start_date=first_day,
            end_date=first_day + timedelta(days=1),
            join_url=f"https://meet.example.org/{SUMMIT_SLUG}",
            contact_email="summit@example.org",
        )
        if event is not None:
            self._sessions(event, SUMMIT_SESSIONS, first_day)
        return event

    def _roadshow(self, first_day: date) -> Event | None:
        event = self._event(
            ROADSHOW_SLUG,
            kind=EventKind.ROADSHOW,
            title=f"EU–China Online Projects Roadshow {first_day.year}",
            title_zh=f"{first_day.year}中欧线上项目路演",
            description=(
                "European projects pitch to Chinese enterprises and investors, and Chinese companies "
                "to European partners: ten-minute pitches with five minutes of questions, then "
                "one-to-one matchmaking."
            ),
            description_zh=(
                "欧洲项目向中国企业和投资者路演，中国企业向欧洲合作伙伴推介：每个项目路演十分钟、"
                "答疑五分钟，随后进行一对一对接洽谈。"
            ),
            timezone=ROADSHOW_TIMEZONE,
            start_date=first_day,
            end_date=first_day + timedelta(days=1),
            join_url=f"https://meet.example.org/{ROADSHOW_SLUG}",
            contact_email="roadshow@example.org",
            application_deadline=timezones.local_to_utc(
                first_day - timedelta(days=7), time(23, 59), ROADSHOW_TIMEZONE
            ),
        )
        if event is not None:
            self._sessions(event, ROADSHOW_SESSIONS, first_day)
        return event

    def _sessions(self, event: Event, specs: tuple[DemoSession, ...], first_day: date) -> None:
        for number, spec in enumerate(specs, start=1):
            day = first_day + timedelta(days=spec.day)
            session = ProgrammeSession(
                kind=spec.kind,
                title=spec.title,
                title_zh=spec.title_zh,
                description=spec.description,
                description_zh=spec.description_zh,
                starts_at=timezones.local_to_utc(day, _clock(spec.starts), event.timezone),
                ends_at=timezones.local_to_utc(day, _clock(spec.ends), event.timezone),
                track=spec.track,
                capacity=spec.capacity,
                join_url=None if spec.kind == SessionKind.BREAK else f"{event.join_url}/{number}",
            )
            if spec.kind == SessionKind.PITCH_BLOCK:
                session.slot_minutes = PITCH_SLOT_MINUTES
                session.changeover_minutes = PITCH_CHANGEOVER_MINUTES
                session.slots = [
                    PitchSlot(starts_at=start, ends_at=end) for start, end in programme.slot_times(session)
                ]
            event.sessions.append(session)
        db.session.flush()

    def _applications(self, roadshow: Event, first_day: date) -> None:
        """Add the applications, then give slots the way organisers do: assign, publish, confirm."""
        blocks = [session for session in roadshow.sessions if session.kind == SessionKind.PITCH_BLOCK]
        blocks.sort(key=lambda session: session.starts_at)
        organiser = self.users[ORGANISER_EMAILS[0]]
        placed: list[tuple[DemoApplication, PitchApplication, PitchSlot]] = []
        for spec in APPLICATIONS:
            application = self._application(roadshow, first_day, spec)
            if spec.slot is not None:
                block, index, _state = spec.slot
                placed.append((spec, application, blocks[block].slots[index]))
        db.session.flush()
        released = [entry for entry in placed if entry[0].slot[2] != SlotState.PROPOSED]
        for _spec, application, slot in released:
            self._assign(organiser, roadshow, slot, application)
        programme.publish(organiser, roadshow)
        for spec, _application, slot in released:
            if spec.slot[2] == SlotState.CONFIRMED:
                programme.confirm_slot(self.users[spec.submitted_by], slot)
        # Proposed after the release: what the organisers would publish next.
        for _spec, application, slot in placed:
            if slot.application_id is None:
                self._assign(organiser, roadshow, slot, application)

    @staticmethod
    def _assign(organiser: User, event: Event, slot: PitchSlot, application: PitchApplication) -> None:
        outcome = programme.assign(organiser, event, slot, application)
        if not outcome.done:  # the demo's availability windows are wrong: fix the data above
            raise RuntimeError(f"demo slot outside {application.title!r}'s availability: {outcome.warnings}")

    def _application(self, roadshow: Event, first_day: date, spec: DemoApplication) -> PitchApplication:
        decided = spec.status != ApplicationStatus.SUBMITTED
        application = PitchApplication(
            event=roadshow,
            organisation=self.organisations[spec.organisation],
            submitted_by_id=self.users[spec.submitted_by].id,
            status=spec.status,
            title=spec.title,
            title_zh=spec.title_zh,
            summary=spec.summary,
            summary_zh=spec.summary_zh,
            sector=self.sectors[spec.sector],
            stage=spec.stage,
            seeking=",".join(option.value for option in Seeking if option in spec.seeking),
            investment_amount=Decimal(spec.amount_eur) if spec.amount_eur else None,
            investment_currency="EUR" if spec.amount_eur else None,
            timezone=spec.timezone,
            decision_note=spec.decision_note,
            decided_at=utcnow() if decided else None,
            availability=[
                _window(first_day + timedelta(days=day), starts, ends, spec.timezone)
                for day, starts, ends in spec.availability
            ],
        )
        self._add(application)
        return application

    def _register(self, event: Event, role: RegistrationRole, starred_kinds: set[SessionKind]) -> None:
        self._add(
            Registration(
                event=event,
                user=self.users[ATTENDEE_EMAIL],
                role=role,
                starred_sessions=[session for session in event.sessions if session.kind in starred_kinds],
            )
        )


def _window(day: date, starts: str, ends: str, tz_name: str) -> AvailabilityWindow:
    """An availability window given in local wall-clock times of zone *tz_name*."""
    return AvailabilityWindow(
        starts_at=timezones.local_to_utc(day, _clock(starts), tz_name),
        ends_at=timezones.local_to_utc(day, _clock(ends), tz_name),
    )


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


# --- The command ---------------------------------------------------------------------------------


def demo_accounts_text() -> str:
    """The listed demo accounts and their password, as printed by `flask demo-data`."""
    width = max(len(account.role) for account in DEMO_ACCOUNTS if account.listed)
    lines = [f"Demo accounts (password for every one: {DEMO_PASSWORD}):"]
    lines += [
        f"  {account.role.ljust(width)}  {account.email}" for account in DEMO_ACCOUNTS if account.listed
    ]
    lines.append(f"Demo events: /events/{SUMMIT_SLUG}  /events/{ROADSHOW_SLUG}")
    return "\n".join(lines)


@click.command("demo-data")
@click.option(
    "--allow-production",
    is_flag=True,
    help="Load even with ROADSHOW_ENV=production (the demo accounts share a published password).",
)
@with_appcontext
def demo_data_command(allow_production: bool) -> None:
    """Load the demo events, organisations and accounts (only what is missing), then list the accounts."""
    if current_app.config.get("ENV_NAME") == "production" and not allow_production:
        raise click.UsageError(
            "refusing to add demo accounts with a published password to a production database "
            "(pass --allow-production to do it anyway)"
        )
    if load_demo_data():
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present; nothing changed.")
    click.echo(demo_accounts_text())
