from xiuhua.accounts.importers import import_departments
from xiuhua.core.tabular import ImportCommand


class Command(ImportCommand):
    help = "从 Excel（.xlsx）或 CSV 导入单位（专业部门、街道、企业）：按单位代码新增或更新，有任何错误则全部不写入。"
    importer = staticmethod(import_departments)
