"""Seed the listing rules of domain-rules 29, 31 and 32 (draft-only rules inactive)."""

from django.db import migrations

XY60 = "《社会组织信用信息管理办法》（民政部令第60号）"
RULES = [
    # code, name, list, trigger, kinds, parameters, basis, confirmation, active, local, order
    ("annual_report", "未按规定报送年度工作报告", "abnormal", "fact",
     ["annual_report_late", "annual_report_noncompliant"], {}, XY60, "confirmed", True, False, 10),
    ("party_org", "未按规定建立党组织", "abnormal", "fact",
     ["party_org_missing"], {}, XY60, "confirmed", True, False, 20),
    ("rectification", "责令整改逾期未改", "abnormal", "fact",
     ["rectification_overdue"], {}, XY60, "confirmed", True, False, 30),
    ("fundraising", "公开募捐资格不再符合或6个月未开展公开募捐", "abnormal", "fact",
     ["fundraising_lapsed"], {}, XY60, "confirmed", True, False, 40),
    ("light_penalty", "受到警告或5万元以下罚款处罚", "abnormal", "fact",
     ["warning", "fine"], {"amount_below": 50000}, XY60, "confirmed", True, False, 50),
    ("cannot_contact", "通过登记的住所无法与其取得联系", "abnormal", "fact",
     ["cannot_contact"], {}, XY60, "confirmed", True, False, 60),
    ("abnormal_two_years", "列入活动异常名录满2年", "serious", "escalation",
     [], {"years": 2}, XY60, "confirmed", True, False, 10),
    ("fraud_change", "以欺骗等不正当手段取得变更登记被撤销", "serious", "fact",
     ["fraud_change_revoked"], {}, XY60, "confirmed", True, False, 20),
    ("dishonest_debtor", "被列入失信被执行人名单", "serious", "fact",
     ["court_dishonest_debtor"], {}, XY60, "confirmed", True, False, 30),
    ("revoked", "被撤销登记或吊销登记证书", "serious", "fact",
     ["registration_revoked", "certificate_revoked"], {}, XY60, "confirmed", True, False, 40),
    ("suspension", "被责令限期停止活动", "serious", "fact",
     ["suspension_order"], {}, XY60 + "征求意见稿", "unconfirmed", False, True, 50),
    ("large_fine", "受到5万元以上罚款处罚", "serious", "fact",
     ["fine"], {"amount_at_least": 50000}, XY60 + "征求意见稿", "unconfirmed", False, True, 60),
    ("repeat_penalties", "3年内2次以上受到警告或5万元以下罚款", "serious", "fact",
     ["warning", "fine"], {"amount_below": 50000, "min_count": 2, "window_years": 3},
     XY60 + "征求意见稿", "unconfirmed", False, True, 70),
]


def seed(apps, schema_editor):
    CreditRule = apps.get_model("credit", "CreditRule")
    for code, name, lst, trigger, kinds, params, basis, conf, active, local, order in RULES:
        CreditRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "credit_list": lst,
                "trigger": trigger,
                "fact_kinds": kinds,
                "parameters": params,
                "legal_basis": basis,
                "confirmation": conf,
                "is_active": active,
                "is_local": local,
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    CreditRule = apps.get_model("credit", "CreditRule")
    CreditRule.objects.filter(code__in=[r[0] for r in RULES], listings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_credit_core")]
    operations = [migrations.RunPython(seed, unseed)]
