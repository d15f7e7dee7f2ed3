<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppService</name>
    <message>
        <location filename="../../nemodesk/ui/service.py" line="+140"/>
        <source>Starting engine…</source>
        <translation>正在启动引擎…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Connecting to NemoVideo cloud…</source>
        <translation>正在连接 NemoVideo 云端…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Local engine</source>
        <translation>本地引擎</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>NemoVideo cloud</source>
        <translation>NemoVideo 云端</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>The previous session was not found; a new one was started.</source>
        <translation>找不到上次的会话，已新建会话。</translation>
    </message>
    <message>
        <location line="+97"/>
        <source>Undo the last change</source>
        <translation>撤销上一步</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Redo the change</source>
        <translation>重做刚才撤销的操作</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No accent on the cut at {0}</source>
        <translation>{0} 处的剪切点不加重音</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accent the cut at {0} again</source>
        <translation>恢复 {0} 处剪切点的重音</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move the accent at {0} to {1}</source>
        <translation>把 {0} 的重音移到 {1}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hit harder on the cuts</source>
        <translation>剪切点重音更强</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Softer accents</source>
        <translation>重音更轻</translation>
    </message>
    <message>
        <location line="+233"/>
        <source>The local engine is free and works offline: no credits.</source>
        <translation>本地引擎免费且可离线使用，不消耗积分。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Credits: {0} available, {1} reserved, {2} in total.</source>
        <translation>积分：可用 {0}，已预留 {1}，共 {2}。</translation>
    </message>
</context>
<context>
    <name>Card</name>
    <message>
        <location filename="../../nemodesk/ui/variations.py" line="+210"/>
        <source>Variation {0}</source>
        <translation>变体 {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waveform of variation {0}</source>
        <translation>变体 {0} 的波形</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Use this</source>
        <translation>选用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play variation {0}</source>
        <translation>播放变体 {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use variation {0}</source>
        <translation>选用变体 {0}</translation>
    </message>
</context>
<context>
    <name>Conversation</name>
    <message>
        <location filename="../../nemodesk/ui/conversation.py" line="+81"/>
        <source>Refine by talking: “slower”, “more drums”, “music at 20%”, “export”…</source>
        <translation>用对话微调：“慢一点”“多加鼓”“音乐音量 20%”“导出”…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message to the music assistant</source>
        <translation>发给音乐助手的消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message numerus="yes">
        <location line="+43"/>
        <source>Still working… (%n minute(s))</source>
        <translation>
            <numerusform>仍在处理…（%n 分钟）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Working: {0}</source>
        <translation>处理中：{0}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>generating music</source>
        <translation>生成音乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>updating the mix</source>
        <translation>调整混音</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>switching variation</source>
        <translation>切换版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>undoing</source>
        <translation>撤销</translation>
    </message>
</context>
<context>
    <name>DropArea</name>
    <message>
        <location filename="../../nemodesk/ui/drop_area.py" line="+157"/>
        <source>Drop a video clip here</source>
        <translation>将视频片段拖放到这里</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a clip (Ctrl+O)</source>
        <translation>打开片段（Ctrl+O）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use another clip…</source>
        <translation>换一个片段…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drop area for video clips</source>
        <translation>视频片段拖放区</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Can't use {0}. Supported files: {1}.</source>
        <translation>无法使用 {0}。支持的文件：{1}。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open a clip</source>
        <translation>打开片段</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Video, image and audio files</source>
        <translation>视频、图片和音频文件</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Uploading {0}…</source>
        <translation>正在上传 {0}…</translation>
    </message>
    <message numerus="yes">
        <location line="+29"/>
        <source>%n cut(s) at {0}</source>
        <translation>
            <numerusform>%n 处剪切点：{0}</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no hard cuts detected</source>
        <translation>未检测到硬切</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <location filename="../../nemodesk/ui/crash.py" line="+124"/>
        <location filename="../../nemodesk/ui/error_text.py" line="+73"/>
        <source>Something unexpected happened. It has been logged; please try again.</source>
        <translation>发生了意外错误，已记录到日志，请重试。</translation>
    </message>
    <message>
        <location filename="../../nemodesk/ui/error_text.py" line="+6"/>
        <source>The local music engine could not start. Try again, or choose the NemoVideo cloud in Settings.</source>
        <translation>本地音乐引擎无法启动。请重试，或在设置中改用 NemoVideo 云端。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>NemoDesk is not allowed to use that file or folder. Choose another one.</source>
        <translation>NemoDesk 无权使用该文件或文件夹，请选择其他位置。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>That file could not be found; it may have been moved or deleted.</source>
        <translation>找不到该文件，它可能已被移动或删除。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The disk is full: free some space or choose another folder, then try again.</source>
        <translation>磁盘已满：请释放空间或选择其他文件夹后重试。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>That took too long to answer. Please try again.</source>
        <translation>响应时间过长，请重试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The connection was lost. Check your network and try again.</source>
        <translation>连接已断开，请检查网络后重试。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A file could not be read or written. Please try again.</source>
        <translation>无法读取或写入文件，请重试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The action was cancelled.</source>
        <translation>操作已取消。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Register</source>
        <translation>注册</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose another file</source>
        <translation>选择其他文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose another folder</source>
        <translation>选择其他文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Top up</source>
        <translation>充值</translation>
    </message>
</context>
<context>
    <name>ExportView</name>
    <message>
        <location filename="../../nemodesk/ui/humanize.py" line="+20"/>
        <source>{0} B</source>
        <translation>{0} B</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{0}/s</source>
        <translation>{0}/秒</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{0} s left</source>
        <translation>剩余 {0} 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} min {1} s left</source>
        <translation>剩余 {0} 分 {1} 秒</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0} h {1} min left</source>
        <translation>剩余 {0} 小时 {1} 分</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../nemodesk/ui/export_view.py" line="+235"/>
        <source>MP4 video with music</source>
        <translation>带音乐的 MP4 视频</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WAV (lossless)</source>
        <translation>WAV（无损）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MP3</source>
        <translation>MP3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>M4A (AAC)</source>
        <translation>M4A（AAC）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Format: {0}</source>
        <translation>格式：{0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+32"/>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>Stems (WAV per instrument)</source>
        <translation>分轨（每种乐器一个 WAV）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stems</source>
        <translation>分轨</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>MIDI</source>
        <translation>MIDI</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change the output folder</source>
        <translation>更改输出文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Export (Ctrl+E)</source>
        <translation>导出（Ctrl+E）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel the export</source>
        <translation>取消导出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the exported file in its folder</source>
        <translation>在所在文件夹中显示导出的文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the exported file's path</source>
        <translation>复制导出文件的路径</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export progress</source>
        <translation>导出进度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Duck music under voice</source>
        <translation>人声时压低音乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mix evenly</source>
        <translation>均衡混合</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mute original sound</source>
        <translation>静音原声</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+5"/>
        <source>Clip sound</source>
        <translation>视频原声</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>The video's own sound, and the music under its speech</source>
        <translation>视频自带的声音，以及有人说话时音乐如何处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> dB</source>
        <translation> dB</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>Duck depth</source>
        <translation>压低幅度</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>How far the music dips while someone speaks</source>
        <translation>有人说话时音乐降低多少</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Extras</source>
        <translation>附加内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Save to</source>
        <translation>保存到</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>Add a video clip to export it with music.</source>
        <translation>添加视频片段后，即可连同音乐一起导出。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Only the local engine can export this.</source>
        <translation>仅本地引擎支持此项导出。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Export to folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Starting the export…</source>
        <translation>正在开始导出…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The render failed.</source>
        <translation>渲染失败。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Rendered. Downloading…</source>
        <translation>渲染完成，正在下载…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Rendering… {0}%</source>
        <translation>正在渲染… {0}%</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Waiting for the renderer…</source>
        <translation>正在等待渲染…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drag the file into your editor, or open its folder.</source>
        <translation>将文件拖入视频编辑器，或打开所在文件夹。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The export failed.</source>
        <translation>导出失败。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export cancelled.</source>
        <translation>导出已取消。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No file manager could be opened. The file is in {0}</source>
        <translation>无法打开文件管理器。文件位于 {0}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Path copied: {0}</source>
        <translation>已复制路径：{0}</translation>
    </message>
</context>
<context>
    <name>FileChip</name>
    <message>
        <location filename="../../nemodesk/ui/file_chip.py" line="+80"/>
        <source>Drag into your video editor or a folder (Ctrl+C copies it)</source>
        <translation>拖入视频编辑器或文件夹（Ctrl+C 可复制）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported file {0}</source>
        <translation>已导出的文件 {0}</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <location filename="../../nemodesk/ui/help_dialogs.py" line="+24"/>
        <source>Open a clip</source>
        <translation>打开片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play or pause</source>
        <translation>播放或暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo the last change</source>
        <translation>撤销上一步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redo the change</source>
        <translation>重做刚才撤销的操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom the timeline</source>
        <translation>缩放时间线</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>About NemoDesk</source>
        <translation>关于 NemoDesk</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Music for your videos, made on this computer or in the NemoVideo cloud.</source>
        <translation>为你的视频配乐，在这台电脑上或在 NemoVideo 云端制作。</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <location filename="../../nemodesk/ui/i18n.py" line="+53"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../nemodesk/ui/main_window.py" line="+221"/>
        <source>Starting engine…</source>
        <translation>正在启动引擎…</translation>
    </message>
    <message>
        <location line="+111"/>
        <source>Clear history</source>
        <translation>清除历史</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete every take, export and message of this session from this computer? Files you exported elsewhere stay. This can't be undone.</source>
        <translation>要从这台电脑上删除本次会话的所有版本、导出和消息吗？你导出到其他位置的文件会保留。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>NemoDesk — music for your video</source>
        <translation>NemoDesk — 为你的视频配乐</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in (Ctrl+wheel)</source>
        <translation>放大（Ctrl+滚轮）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out (Ctrl+wheel)</source>
        <translation>缩小（Ctrl+滚轮）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy session link</source>
        <translation>复制会话链接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the link to this session</source>
        <translation>复制此会话的链接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings (Ctrl+,)</source>
        <translation>设置（Ctrl+,）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+151"/>
        <location line="+66"/>
        <source>free · offline</source>
        <translation>免费 · 离线</translation>
    </message>
    <message>
        <location line="-215"/>
        <source>No system keyring: the sign-in is kept for this session only</source>
        <translation>没有系统密钥环：登录信息仅在本次会话中保留</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open a clip…</source>
        <translation>打开片段(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear &amp;history…</source>
        <translation>清除历史(&amp;H)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete this session's takes, exports and conversation from this computer</source>
        <translation>从这台电脑上删除本次会话的版本、导出和对话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About NemoDesk</source>
        <translation>关于 NemoDesk(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo the last change (Ctrl+Z)</source>
        <translation>撤销上一步（Ctrl+Z）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redo the change (Ctrl+Shift+Z)</source>
        <translation>重做（Ctrl+Shift+Z）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Describe the music, or pick a mood or genre, then press Generate.</source>
        <translation>描述想要的音乐，或选择情绪、风格，然后点击“生成”。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+13"/>
        <source>Wait for the music to finish first</source>
        <translation>请等音乐生成完成</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>This session exists only on this computer: there is no link to share</source>
        <translation>此会话只保存在这台电脑上，没有可分享的链接</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Session link copied</source>
        <translation>会话链接已复制</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Credits: {0}</source>
        <translation>积分：{0}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>“{0}” is no longer where it was; drop the clip again.</source>
        <translation>“{0}”已不在原来的位置，请重新拖入视频。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Why?</source>
        <translation>为什么？</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This computer has no system keyring (Secret Service) that NemoDesk can use, so the sign-in token is kept in memory for this session only. Nothing is lost: NemoDesk signs in again the next time it starts. Install and unlock a keyring (e.g. GNOME Keyring or KWallet) to keep it between sessions.</source>
        <translation>这台电脑没有 NemoDesk 可用的系统密钥环（Secret Service），所以登录令牌只保存在内存中，仅限本次使用。不会丢失任何内容：NemoDesk 下次启动时会重新登录。安装并解锁密钥环（例如 GNOME Keyring 或 KWallet）即可在多次使用之间保留登录。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Upload cancelled.</source>
        <translation>上传已取消。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>History cleared: a fresh session started.</source>
        <translation>历史已清除：已开始新的会话。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Local engine: not connected</source>
        <translation>本地引擎：未连接</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NemoVideo cloud: not connected</source>
        <translation>NemoVideo 云端：未连接</translation>
    </message>
</context>
<context>
    <name>PlayerView</name>
    <message>
        <location filename="../../nemodesk/ui/player.py" line="+185"/>
        <source>Player</source>
        <translation>播放器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Playback position</source>
        <translation>播放位置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Music only</source>
        <translation>仅音乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play the music only</source>
        <translation>只播放音乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Video + music</source>
        <translation>视频 + 音乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play the video with the music</source>
        <translation>连同音乐播放视频</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>Original sound</source>
        <translation>原声</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Hear the video's own sound under the music</source>
        <translation>在音乐下混入视频原声</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No sound output found: playback is silent. Connect speakers or headphones.</source>
        <translation>未找到声音输出设备：播放时没有声音。请连接扬声器或耳机。</translation>
    </message>
    <message>
        <location line="+208"/>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} (Space)</source>
        <translation>{0}（空格键）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>This file can't be played: {0}</source>
        <translation>无法播放此文件：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Music only · {0}</source>
        <translation>仅音乐 · {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No music yet. Generate some to hear it with the video.</source>
        <translation>还没有音乐。生成后即可配合视频试听。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing to play yet. Generate music or add a video to preview it here.</source>
        <translation>暂无可播放的内容。生成音乐或添加视频后，可在此预览。</translation>
    </message>
</context>
<context>
    <name>PromptPanel</name>
    <message>
        <location filename="../../nemodesk/ui/preset_labels.py" line="+12"/>
        <source>Upbeat</source>
        <translation>欢快</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Warm</source>
        <translation>温暖</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chill</source>
        <translation>轻松</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tense</source>
        <translation>紧张</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>阴郁</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sad</source>
        <translation>悲伤</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epic</source>
        <translation>史诗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Romantic</source>
        <translation>浪漫</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Playful</source>
        <translation>俏皮</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mysterious</source>
        <translation>神秘</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inspiring</source>
        <translation>励志</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calm</source>
        <translation>平静</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Acoustic</source>
        <translation>原声</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lo-fi hip-hop</source>
        <translation>Lo-fi 嘻哈</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cinematic</source>
        <translation>电影感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Electronic</source>
        <translation>电子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ambient</source>
        <translation>氛围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Corporate pop</source>
        <translation>商务流行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rock</source>
        <translation>摇滚</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Jazz</source>
        <translation>爵士</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Solo piano</source>
        <translation>钢琴独奏</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chiptune</source>
        <translation>芯片音乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hip-hop</source>
        <translation>嘻哈</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>House</source>
        <translation>浩室</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Funk</source>
        <translation>放克</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folk</source>
        <translation>民谣</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epic orchestral</source>
        <translation>管弦史诗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>R&apos;n&apos;B</source>
        <translation>节奏布鲁斯</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reggae</source>
        <translation>雷鬼</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kids</source>
        <translation>儿童</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Guofeng</source>
        <translation>国风</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Guitar</source>
        <translation>吉他</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ukulele</source>
        <translation>尤克里里</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Piano</source>
        <translation>钢琴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Strings</source>
        <translation>弦乐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Brass</source>
        <translation>铜管</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Synth</source>
        <translation>合成器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drums</source>
        <translation>鼓</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Upright bass</source>
        <translation>低音提琴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Brushes</source>
        <translation>鼓刷</translation>
    </message>
    <message>
        <location filename="../../nemodesk/ui/prompt_panel.py" line="+186"/>
        <source>More…</source>
        <translation>更多…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>More genres</source>
        <translation>更多风格</translation>
    </message>
    <message>
        <location line="+189"/>
        <source>Describe the music — e.g. “90-second upbeat acoustic track for a travel vlog, warm and adventurous”</source>
        <translation>描述想要的音乐，例如“为旅行 Vlog 配一段 90 秒的欢快原声音乐，温暖又充满冒险感”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Music description</source>
        <translation>音乐描述</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Describe the feel</source>
        <translation>描述氛围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mood</source>
        <translation>情绪</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Genre</source>
        <translation>风格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Instruments</source>
        <translation>乐器</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+14"/>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Tempo</source>
        <translation>节奏</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Energy</source>
        <translation>能量</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>From the description</source>
        <translation>按描述</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Match the video</source>
        <translation>匹配视频</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Custom length (minutes:seconds)</source>
        <translation>自定义时长（分:秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+7"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location line="-6"/>
        <source> BPM</source>
        <translation> BPM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tempo in beats per minute</source>
        <translation>节奏（每分钟拍数）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Steady</source>
        <translation>平稳</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Build up</source>
        <translation>渐强</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wind down</source>
        <translation>渐弱</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rise and fall</source>
        <translation>起伏</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Energy arc</source>
        <translation>能量走向</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seamless loop</source>
        <translation>无缝循环</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generate (Ctrl+Enter)</source>
        <translation>生成（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>3 variations</source>
        <translation>3 个变体</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Seed: {0}</source>
        <translation>种子：{0}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../nemodesk/ui/settings_dialog.py" line="+190"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Music service</source>
        <translation>音乐服务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local engine (on this computer, offline)</source>
        <translation>本地引擎（在本机运行，可离线）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local engine</source>
        <translation>本地引擎</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>NemoVideo cloud</source>
        <translation>NemoVideo 云端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Backend:</source>
        <translation>后端：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API address</source>
        <translation>API 地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API &amp;address:</source>
        <translation>API 地址(&amp;A)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Token status</source>
        <translation>令牌状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Forget token</source>
        <translation>清除令牌(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget token</source>
        <translation>清除令牌</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove the saved sign-in token; a new one is requested when needed</source>
        <translation>移除已保存的登录令牌；需要时会重新申请</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Token:</source>
        <translation>令牌：</translation>
    </message>
    <message>
        <location line="+107"/>
        <source>Checking the system keyring…</source>
        <translation>正在检查系统密钥环…</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse for the output folder</source>
        <translation>浏览并选择输出文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Output folder:</source>
        <translation>输出文件夹(&amp;O)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> LUFS</source>
        <translation> LUFS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loudness target</source>
        <translation>目标响度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>-14 LUFS suits most streaming sites; -23 LUFS is the broadcast norm</source>
        <translation>-14 LUFS 适合大多数流媒体平台；-23 LUFS 是广播标准</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loudness &amp;target:</source>
        <translation>目标响度(&amp;T)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Built-in (FluidR3 GM)</source>
        <translation>内置（FluidR3 GM）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Instrument sounds</source>
        <translation>乐器音色</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The SoundFont the local engine plays new music with</source>
        <translation>本地引擎生成新音乐时使用的 SoundFont 音色库</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Choose…</source>
        <translation>选择(&amp;C)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a SoundFont file</source>
        <translation>选择 SoundFont 音色库文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Instrument &amp;sounds:</source>
        <translation>乐器音色(&amp;S)：</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Enter an API address that starts with http:// or https://.</source>
        <translation>请输入以 http:// 或 https:// 开头的 API 地址。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose a folder for exported files.</source>
        <translation>请选择存放导出文件的文件夹。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Token stored in the system keyring</source>
        <translation>令牌已保存在系统密钥环中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No system keyring: the token is kept in memory for this session only</source>
        <translation>没有系统密钥环：令牌仅在本次会话中保存在内存里</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose the output folder</source>
        <translation>选择输出文件夹</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose a SoundFont</source>
        <translation>选择 SoundFont 音色库</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SoundFonts (*.sf2 *.sf3)</source>
        <translation>SoundFont 音色库 (*.sf2 *.sf3)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{0} is not a SoundFont (.sf2 or .sf3) that can be read; the instrument sounds stay as they were.</source>
        <translation>{0} 不是可读取的 SoundFont 音色库（.sf2 或 .sf3），乐器音色保持不变。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>That address contains a sign-in token; enter the address without it.</source>
        <translation>该地址包含登录令牌，请输入不含令牌的地址。</translation>
    </message>
</context>
<context>
    <name>TimelineInput</name>
    <message>
        <location filename="../../nemodesk/ui/timeline_input.py" line="+100"/>
        <source>No accent on this cut</source>
        <translation>此剪切点不加重音</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Move this accent to the playhead ({0})</source>
        <translation>把这个重音移到播放头（{0}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Accent this cut again</source>
        <translation>恢复此剪切点的重音</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hit harder on the cuts</source>
        <translation>剪切点重音更强</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Softer accents</source>
        <translation>重音更轻</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <location filename="../../nemodesk/ui/timeline.py" line="+65"/>
        <location line="+347"/>
        <source>Timeline position</source>
        <translation>时间线位置</translation>
    </message>
    <message>
        <location line="-343"/>
        <location line="+344"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location line="-343"/>
        <location line="+346"/>
        <source>Empty timeline</source>
        <translation>时间线为空</translation>
    </message>
    <message>
        <location filename="../../nemodesk/ui/timeline_model.py" line="+56"/>
        <source>Clip</source>
        <translation>片段</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Music</source>
        <translation>音乐</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>{0} – {1} ({2} s)</source>
        <translation>{0} – {1}（{2} 秒）</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+35"/>
        <source>Volume {0}%</source>
        <translation>音量 {0}%</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>Fade in {0} s, fade out {1} s</source>
        <translation>淡入 {0} 秒，淡出 {1} 秒</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>BGM</source>
        <translation>背景音乐</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Track type {0}</source>
        <translation>轨道类型 {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%n segment(s)</source>
        <translation>%n 个片段</translation>
    </message>
    <message>
        <location filename="../../nemodesk/ui/timeline_paint.py" line="+307"/>
        <source>{0} · {1}%</source>
        <translation>{0} · {1}%</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Type {0}</source>
        <translation>类型 {0}</translation>
    </message>
</context>
<context>
    <name>VariationsView</name>
    <message>
        <location filename="../../nemodesk/ui/variations.py" line="-171"/>
        <source>piano</source>
        <translation>钢琴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>acoustic guitar</source>
        <translation>木吉他</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>electric guitar</source>
        <translation>电吉他</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ukulele</source>
        <translation>尤克里里</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>organ</source>
        <translation>风琴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>marimba</source>
        <translation>马林巴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bells</source>
        <translation>钟琴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>flute</source>
        <translation>长笛</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>synth</source>
        <translation>合成器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>brass</source>
        <translation>铜管</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>strings</source>
        <translation>弦乐</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>push groove</source>
        <translation>切分律动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>half-time groove</source>
        <translation>半速律动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>driving groove</source>
        <translation>推进律动</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>major</source>
        <translation>大调</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>minor</source>
        <translation>小调</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{0} lead</source>
        <translation>{0}主奏</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>new chords {0}</source>
        <translation>新和弦 {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>new chords</source>
        <translation>新和弦</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>new groove</source>
        <translation>新律动</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The brief's take</source>
        <translation>按描述的版本</translation>
    </message>
</context>
</TS>
