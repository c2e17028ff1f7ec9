# The roles the next apps and 等保 2.0 need, as permission kinds (Role.code) and as one
# city-wide role of each, so that a fresh installation can grant them at once:
# - 安全管理员 (security_admin): roles and grants, lockouts, tokens, security settings; with
#   系统管理员 and 安全审计员 the three separate duties of 等保 2.0 (those two exist already as
#   kinds and are created here as roles too when missing);
# - 分派员 (dispatcher): 12315 intake and routing (投诉举报处理办法: register, accept or refuse
#   within 7 working days, send to the competent bureau);
# - 法制审核员 (legal_reviewer): 法制审核 of a case before the decision (行政处罚法 Art 58;
#   Order 2: 10 working days), by staff who did not investigate it;
# - 听证主持人 (hearing_officer): hosts a hearing (行政处罚法 Art 64(4): a person designated by
#   the bureau who is not an investigator of the case).
#
# Reversal deletes the roles of the new kinds (their holders lose those grants: the kinds no
# longer exist); the 系统管理员 and 安全审计员 roles stay, their kinds being older.

from django.db import migrations, models

CODE_CHOICES = [
    ("admin", "系统管理员"),
    ("security_admin", "安全管理员"),
    ("auditor", "安全审计员"),
    ("leader", "局领导"),
    ("handler", "业务承办人"),
    ("inspector", "执法检查人员"),
    ("window_clerk", "窗口受理人员"),
    ("dispatcher", "分派员"),
    ("legal_reviewer", "法制审核员"),
    ("hearing_officer", "听证主持人"),
]
# (name, code, description); each city-wide ("all").
ROLES = (
    ("系统管理员", "admin", "单位、人员账号、工作日历和事项清单；不能查看或修改操作日志"),
    ("安全管理员", "security_admin", "角色与授权、登录锁定、接口令牌、安全设置"),
    ("安全审计员", "auditor", "只查看操作日志并校验日志链"),
    ("分派员", "dispatcher", "12315投诉举报登记、受理和分派"),
    ("法制审核员", "legal_reviewer", "案件法制审核（不得为本案调查人员）"),
    ("听证主持人", "hearing_officer", "主持听证（不得为本案调查人员）"),
)
NEW_CODES = ("security_admin", "dispatcher", "legal_reviewer", "hearing_officer")


def roles_create(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for name, code, description in ROLES:
        Role.objects.get_or_create(
            name=name, defaults={"code": code, "data_scope": "all", "description": description}
        )


def roles_delete(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    Role.objects.filter(code__in=NEW_CODES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_audit_chain_keyed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="role",
            name="code",
            field=models.CharField(choices=CODE_CHOICES, max_length=30, verbose_name="权限类别"),
        ),
        migrations.RunPython(roles_create, roles_delete),
    ]
