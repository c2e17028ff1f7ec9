from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_query_action'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditlog',
            name='action',
            field=models.CharField(choices=[('create', '新增'), ('update', '修改'), ('delete', '删除'), ('transition', '流转'), ('login', '登录'), ('logout', '退出'), ('login_failed', '登录失败'), ('export', '导出'), ('import', '导入'), ('token', '令牌'), ('query', '查询'), ('throttled', '频次超限')], max_length=20, verbose_name='操作'),
        ),
    ]
