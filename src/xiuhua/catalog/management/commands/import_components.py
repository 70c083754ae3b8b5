from xiuhua.catalog.importers import import_components
from xiuhua.core.tabular import ImportCommand


class Command(ImportCommand):
    help = "从 Excel（.xlsx）或 CSV 导入部件：按部件编码新增或更新，多余的列存入扩展属性，有任何错误则全部不写入。"
    importer = staticmethod(import_components)
