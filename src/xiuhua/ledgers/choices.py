"""The ledgers' enumerations, with their Chinese labels in the locale files."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")  # a company, an individual business (个体工商户), a unit


class IdKind(models.TextChoices):
    CREDIT_CODE = "credit_code", _("Unified social credit code")  # 统一社会信用代码, 18 characters with a check
    ID_CARD = "id_card", _("Resident ID card number")  # 居民身份证号码, 18 characters with a check
    OTHER = "other", _("Other identity document")


class LedgerKind(models.TextChoices):
    """The ledgers (台账) of 一户一档; each is one model, named by this key in references and permissions."""

    SHOP = "shop", _("Street-front shop")  # 沿街商铺
    BILLBOARD = "billboard", _("Outdoor advertisement or sign")  # 户外广告/招牌
    ILLEGAL_BUILDING = "illegal_building", _("Illegal building")  # 违法建筑
    DOG = "dog", _("Dog")  # 犬只
    PUBLIC_TOILET = "public_toilet", _("Public toilet")  # 公厕
    SITE = "site", _("Construction or disposal site")  # 工地/消纳场
    ZONE = "zone", _("Street-vending zone")  # 禁止/严控/疏导区


class ShopKind(models.TextChoices):
    RESTAURANT = "restaurant", _("Restaurant")  # 餐饮
    CAR_WASH = "car_wash", _("Car wash")  # 洗车
    ENTERTAINMENT = "entertainment", _("Entertainment")  # 娱乐
    SMALL_TRADE = "small_trade", _("Five small trades")  # 五小
    OTHER = "other", pgettext_lazy("shop kind", "Other")


class BillboardCategory(models.TextChoices):
    """The five categories of Haiyan's outdoor-ads campaign."""

    ROOFTOP = "rooftop", _("Rooftop")  # 屋顶
    FREESTANDING = "freestanding", _("Freestanding or pole")  # 落地/立杆
    FACADE = "facade", _("Façade")  # 墙面
    PLAQUE = "plaque", _("Attached plaque or sign")  # 附着式牌匾
    ILLEGAL = "illegal", _("False or illegal")  # 虚假/违法


class BuildingStatus(models.TextChoices):
    UNDER_CONSTRUCTION = "building", _("Under construction")  # 在建
    STOCK = "stock", _("Standing (stock)")  # 存量
    LEGALISED = "legalised", _("Permit issued afterwards")  # 补证
    CONVERTED = "converted", _("Use converted")  # 转性
    REMOVED = "removed", _("Removed")  # 拆除


class BuildingRoute(models.TextChoices):
    """How an illegal building is handled, by its size (Haiyan: up to 50 m² within the grid)."""

    GRID = "grid", _("Handled within the grid")  # 网格内处置
    PLAN = "plan", _("Needs an approved plan")  # 专班方案, 审批后实施


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Before")  # 拆前 / 整改前
    DURING = "during", _("During")  # 拆中
    AFTER = "after", _("After")  # 拆后 / 整改后
    OTHER = "other", pgettext_lazy("photo stage", "Other")


class SiteKind(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction site")  # 工地
    DISPOSAL = "disposal", _("Disposal site")  # 消纳场


class ZoneKind(models.TextChoices):
    FORBIDDEN = "forbidden", _("Forbidden zone")  # 禁止区
    STRICT = "strict", _("Strictly controlled zone")  # 严控区
    GUIDED = "guided", _("Guided vending zone")  # 疏导区


class DocumentKind(models.TextChoices):
    """The enforcement ladder's documents (文书), in ladder order."""

    REMINDER = "reminder", _("Reminder slip")  # 提醒单
    RECTIFY_BY = "rectify_by", _("Notice to rectify by a date")  # 限期整改通知书
    ORDER_TO_CORRECT = "order_to_correct", _("Order to correct")  # 责令改正通知书
    PENALTY = "penalty", _("Administrative penalty decision")  # 行政处罚决定 (a reference to the decision)


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")  # 已开具
    DELIVERED = "delivered", _("Delivered")  # 已送达
    PASSED = "passed", _("Re-inspection passed")  # 复查合格
    FAILED = "failed", _("Re-inspection failed")  # 复查不合格 (the next step of the ladder follows)
    CANCELLED = "cancelled", _("Cancelled")  # 撤销 (the number stays used: numbers never have gaps)


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed over in person")  # 直接送达
    LEFT = "left", _("Left at the premises")  # 留置送达
    POST = "post", _("By post")  # 邮寄送达
    ELECTRONIC = "electronic", _("Electronically")  # 电子送达
    NOTICE = "notice", _("Public notice")  # 公告送达


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class CreditEventKind(models.TextChoices):
    PENALTY = "penalty", _("Administrative penalty")  # 行政处罚
    REPEATED_FAILURE = "repeated_failure", _("Repeated failed re-inspection")  # 复查多次不合格
    ORDER_IGNORED = "order_ignored", _("Order to correct ignored")  # 拒不改正
    GOOD_CONDUCT = "good_conduct", _("Good-conduct record")  # 最美商户 etc.


class CreditEventStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    OBJECTED = "objected", _("Objection pending")  # 异议中
    REPAIRED = "repaired", _("Repaired")  # 信用修复: kept, no longer counted
    WITHDRAWN = "withdrawn", _("Withdrawn on objection")  # 异议成立
