"""hz-assess: assessment calculator for Huzhou's 2017 industrial plan (湖政办发〔2017〕13号)."""

__version__ = "0.1.0"
